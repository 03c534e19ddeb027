// XFS superblock (sector 0 of AG 0). libblkid accepts it only when its geometry is
// self-consistent, so random data that starts with "XFSB" is not an XFS filesystem.
// Reference: xfsprogs xfs_format.h struct xfs_dsb ("XFS Algorithms & Data Structures",
// Superblocks); util-linux libblkid superblocks/xfs.c xfs_verify_sb().

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import { dceUuid, rawLabel } from './text.js';
import type { FsProber } from './types.js';

const XFS_MAGIC = magic('XFSB', 0);
/** The fields libblkid checks end with sb_frextents at 0x90 + 8. */
const SB_LEN = 0x98;
const MIN_AG_BLOCKS = 64n;
const MAX_RTEXTSIZE = 1024 * 1024 * 1024;
const MIN_RTEXTSIZE = 4 * 1024;

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;

/** The geometry checks of xfs_verify_sb, field by field. */
function geometryValid(sb: Bytes): boolean {
  const blocksize = sb.u32be(4);
  const dblocks = sb.u64beBig(8);
  const agblocks = sb.u32be(0x54);
  const agcount = sb.u32be(0x58);
  const sectsize = sb.u16be(0x66);
  const inodesize = sb.u16be(0x68);
  const [blocklog, sectlog, inodelog, inopblog] = [
    sb.u8(0x78),
    sb.u8(0x79),
    sb.u8(0x7a),
    sb.u8(0x7b),
  ];
  const rtbytes = sb.u32be(0x50) * blocksize;
  if (agcount === 0) return false;
  if (!inRange(sectsize, 512, 32768) || !inRange(sectlog, 9, 15) || sectsize !== 2 ** sectlog)
    return false;
  if (!inRange(blocksize, 512, 65536) || !inRange(blocklog, 9, 16) || blocksize !== 2 ** blocklog)
    return false;
  if (!inRange(inodesize, 256, 2048) || !inRange(inodelog, 8, 11) || inodesize !== 2 ** inodelog)
    return false;
  if (blocklog - inodelog !== inopblog) return false;
  if (rtbytes > MAX_RTEXTSIZE || rtbytes < MIN_RTEXTSIZE) return false;
  if (sb.u8(0x7f) > 100) return false; // sb_imax_pct
  const maxD = BigInt(agcount) * BigInt(agblocks);
  const minD = BigInt(agcount - 1) * BigInt(agblocks) + MIN_AG_BLOCKS;
  return dblocks !== 0n && dblocks <= maxD && dblocks >= minD;
}

export const xfsProber = {
  type: 'xfs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [XFS_MAGIC])) return undefined;
      const buf = r.bytes(0, SB_LEN);
      if (!buf) return undefined;
      const sb = new Bytes(buf, 'xfs superblock', 0);
      if (!geometryValid(sb)) return undefined;
      return new Found()
        .set('LABEL', rawLabel(sb.raw(0x6c, 12)))
        .set('UUID', dceUuid(sb.raw(0x20, 16)))
        .set('BLOCK_SIZE', String(sb.u16be(0x66)))
        .result('xfs', 'filesystem');
    }),
} satisfies FsProber;
