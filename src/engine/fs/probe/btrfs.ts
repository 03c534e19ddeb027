// Btrfs superblock, primary copy at 64 KiB. libblkid reports the filesystem UUID, the
// device UUID (UUID_SUB, from the embedded dev_item) and the sector size.
// Reference: btrfs on-disk format, "Superblock" (struct btrfs_super_block,
// struct btrfs_dev_item); util-linux libblkid superblocks/btrfs.c.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import { dceUuid, rawLabel } from './text.js';
import type { FsProber } from './types.js';

const SB_OFFSET = 64 * 1024;
const BTRFS_MAGIC = magic('_BHRfS_M', SB_OFFSET + 0x40);
/** Up to the end of the 256-byte label at 0x12b: all libblkid reads. */
const SB_LEN = 0x12b + 256;
const DEV_ITEM = 0xc9;
/** dev_item.uuid follows devid, sizes, io fields, type, generation, offsets (66 bytes). */
const DEV_UUID = DEV_ITEM + 66;

export const btrfsProber = {
  type: 'btrfs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [BTRFS_MAGIC])) return undefined;
      const buf = r.bytes(SB_OFFSET, SB_LEN);
      if (!buf) return undefined;
      const sb = new Bytes(buf, 'btrfs superblock', SB_OFFSET);
      return new Found()
        .set('LABEL', rawLabel(sb.raw(0x12b, 256)))
        .set('UUID', dceUuid(sb.raw(0x20, 16)))
        .set('UUID_SUB', dceUuid(sb.raw(DEV_UUID, 16)))
        .set('BLOCK_SIZE', String(sb.u32le(0x90)))
        .result('btrfs', 'filesystem');
    }),
} satisfies FsProber;
