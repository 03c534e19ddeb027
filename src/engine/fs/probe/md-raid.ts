// Linux MD RAID member superblocks: version 0.90 (4 KiB in the last 64 KiB-aligned
// 64 KiB of the device, either byte order) and version 1.x (little-endian: 1.0 at 8 KiB
// before the 4 KiB-aligned end, 1.1 at 0, 1.2 at 4 KiB). UUID is the array UUID as a
// DCE UUID string, LABEL the array name, UUID_SUB the device UUID (1.x only).
// Reference: kernel include/uapi/linux/raid/md_p.h (mdp_superblock_s, mdp_superblock_1);
// util-linux libblkid superblocks/linux_raid.c. libblkid 2.38 does not check sb_csum.

import { Bytes } from '../../io/bytes.js';
import { Found, guarded } from './prober.js';
import type { ProbeReader } from './reader.js';
import { dceUuid, rawLabel } from './text.js';
import type { FsProber } from './types.js';

const MD_MAGIC = 0xa92b4efc;
const RESERVED = 0x10000;
/** mdp0 fields up to set_uuid3; mdp1 fields up to device_uuid. */
const SB0_LEN = 64;
const SB1_LEN = 0xb8;

/** probe_raid0: the 0.90 superblock at `off`, in whichever byte order its magic has. */
function probe090(r: ProbeReader, off: number): Found | undefined {
  const buf = r.bytes(off, SB0_LEN);
  if (!buf) return undefined;
  const sb = new Bytes(buf, 'md 0.90 superblock', off);
  const le = sb.u32le(0) === MD_MAGIC;
  if (!le && sb.u32be(0) !== MD_MAGIC) return undefined;
  const u32 = (o: number): number => (le ? sb.u32le(o) : sb.u32be(o));
  const [major, minor, patch] = [u32(4), u32(8), u32(12)];
  const size = u32(32) * 1024;
  if (r.size < size + RESERVED || off < size) return undefined;
  // set_uuid0 and, from 0.90 on, set_uuid1..3: each word's value written big-endian,
  // which is how libblkid's byte swaps come out for both superblock byte orders.
  const uuid = new Uint8Array(16);
  const dv = new DataView(uuid.buffer);
  const words = minor >= 90 ? [20, 52, 56, 60] : [20];
  words.forEach((o, i) => dv.setUint32(i * 4, u32(o)));
  return new Found().set('VERSION', `${major}.${minor}.${patch}`).set('UUID', dceUuid(uuid));
}

/** probe_raid1: a 1.x superblock at `off`, valid only if super_offset names `off`. */
function probe1x(r: ProbeReader, off: number): Found | undefined {
  const buf = r.bytes(off, SB1_LEN);
  if (!buf) return undefined;
  const sb = new Bytes(buf, 'md 1.x superblock', off);
  if (sb.u32le(0) !== MD_MAGIC || sb.u32le(4) !== 1) return undefined;
  if (sb.u64leBig(0x90) !== BigInt(Math.floor(off / 512))) return undefined;
  return new Found()
    .set('UUID', dceUuid(sb.raw(0x10, 16)))
    .set('UUID_SUB', dceUuid(sb.raw(0xa8, 16)))
    .set('LABEL', rawLabel(sb.raw(0x20, 32)));
}

export const linuxRaidProber = {
  type: 'linux_raid_member',
  probe: (src) =>
    guarded(src, (r) => {
      let f: Found | undefined;
      let ver: string | undefined;
      if (r.size > RESERVED) {
        const at0 = Math.floor(r.size / RESERVED) * RESERVED - RESERVED;
        const sb0 = probe090(r, at0);
        if (sb0) return sb0.result('linux_raid_member', 'raid');
        f = probe1x(r, Math.floor(r.size / 0x1000) * 0x1000 - 0x2000);
        if (f) ver = '1.0';
      }
      if (!f) {
        f = probe1x(r, 0);
        ver = '1.1';
        if (!f) {
          f = probe1x(r, 0x1000);
          ver = '1.2';
        }
      }
      return f ? f.set('VERSION', ver).result('linux_raid_member', 'raid') : undefined;
    }),
} satisfies FsProber;
