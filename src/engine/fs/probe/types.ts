// blkid-like content probing. Each prober looks for one signature and reports what
// `blkid -p -o export` would print for it. Reference: util-linux libblkid superblocks/.

import type { BlockSource } from '../../io/block-source.js';

export type ProbeUsage = 'filesystem' | 'crypto' | 'raid' | 'other';

export interface ProbeResult {
  /** blkid TYPE: ext4, xfs, btrfs, ntfs, vfat, exfat, iso9660, udf, squashfs, swap,
   * crypto_LUKS, LVM2_member, linux_raid_member, BitLocker, hfsplus, apfs, zfs_member, f2fs … */
  type: string;
  usage: ProbeUsage;
  label?: string;
  uuid?: string;
  /** Every other key blkid -p -o export prints for it (VERSION, UUID_SUB, BLOCK_SIZE, SEC_TYPE, …). */
  extra: Record<string, string>;
}

export interface FsProber {
  readonly type: string;
  /**
   * libblkid's BLKID_IDINFO_TOLERANT (iso9660, udf, hfs): may coexist with another
   * filesystem signature without making the result ambiguous.
   */
  readonly tolerant?: boolean;
  /** Never throws: returns undefined when the signature is absent or unreadable. */
  probe(src: BlockSource): ProbeResult | undefined;
}
