// NTFS boot sector and the $Volume MFT record (record 3), whose VOLUME_NAME attribute
// holds the label. libblkid validates the BIOS parameter block before trusting it and
// reads the label without applying the update-sequence fixups (the attribute lies in
// the record's first sector in practice).
// Reference: NTFS documentation (Linux-NTFS project), "Boot sector", "MFT record",
// "Attribute $VOLUME_NAME (0x60)"; util-linux libblkid superblocks/ntfs.c.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, isPowerOf2, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { hex2, isZero, utf8Label } from './text.js';
import type { FsProber } from './types.js';

const NTFS_MAGIC = magic('NTFS    ', 3);
const MFT_RECORD_VOLUME = 3;
const ATTR_VOLUME_NAME = 0x60;
const ATTR_END = 0xffffffff;
const MAX_CLUSTER_SIZE = 64 * 1024;

interface Geometry {
  sectorSize: number;
  recordSize: number;
  mftOffset: number;
}

/** The boot-sector checks of probe_ntfs; undefined when the BPB is not NTFS's. */
function geometry(bs: Bytes): Geometry | undefined {
  const sectorSize = bs.u16le(0x0b);
  const spc = bs.u8(0x0d);
  if (sectorSize < 256 || sectorSize > 4096) return undefined;
  if (!isPowerOf2(spc) || spc > 128 || sectorSize * spc > MAX_CLUSTER_SIZE) return undefined;
  // reserved sectors, root entries, sectors, sectors per FAT, large sectors, FATs: zero.
  if (bs.u16le(0x0e) || bs.u16le(0x11) || bs.u16le(0x13) || bs.u16le(0x16)) return undefined;
  if (bs.u32le(0x20) || bs.u8(0x10)) return undefined;
  const cpm = bs.u8(0x40);
  // A negative count (0xe1..0xf7) is 2^-n bytes; else a power-of-two cluster count <= 64.
  if ((cpm < 0xe1 || cpm > 0xf7) && !(isPowerOf2(cpm) && cpm <= 64)) return undefined;
  const recordSize = cpm < 0x80 ? cpm * spc * sectorSize : 2 ** (256 - cpm);
  const clusters = bs.u64leBig(0x28) / BigInt(spc);
  const mft = bs.u64leBig(0x30);
  if (mft > clusters || bs.u64leBig(0x38) > clusters) return undefined;
  const mftOffset = mft * BigInt(sectorSize * spc);
  if (mftOffset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { sectorSize, recordSize, mftOffset: Number(mftOffset) };
}

/** The VOLUME_NAME value of MFT record 3, walked as probe_ntfs walks it. */
function volumeName(r: ProbeReader, g: Geometry): Uint8Array | undefined | null {
  const first = r.bytes(g.mftOffset, g.recordSize);
  if (!first || !new Bytes(first, 'MFT record 0').equals(0, 'FILE')) return null;
  const off = g.mftOffset + MFT_RECORD_VOLUME * g.recordSize;
  const buf = r.bytes(off, g.recordSize);
  if (!buf) return null;
  const rec = new Bytes(buf, 'MFT record 3 ($Volume)', off);
  if (!rec.equals(0, 'FILE')) return null;
  const allocated = rec.u32le(0x1c);
  let at = rec.u16le(0x14);
  while (at < g.recordSize && at <= allocated && at + 24 <= g.recordSize) {
    const type = rec.u32le(at);
    const len = rec.u32le(at + 4);
    if (len === 0 || type === ATTR_END) break;
    if (type === ATTR_VOLUME_NAME) {
      const valLen = rec.u32le(at + 0x10);
      const valOff = rec.u16le(at + 0x14);
      return rec.raw(at + valOff, Math.min(valLen, g.recordSize - at - valOff));
    }
    at += len;
  }
  return undefined;
}

export const ntfsProber = {
  type: 'ntfs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [NTFS_MAGIC])) return undefined;
      const buf = r.bytes(0, 0x54);
      if (!buf) return undefined;
      const bs = new Bytes(buf, 'NTFS boot sector', 0);
      const g = geometry(bs);
      if (!g) return undefined;
      const name = volumeName(r, g);
      if (name === null) return undefined;
      const f = new Found();
      if (name) f.set('LABEL', utf8Label(name, 'utf16le'));
      f.set('BLOCK_SIZE', String(g.sectorSize));
      const serial = bs.raw(0x48, 8);
      if (!isZero(serial)) f.set('UUID', Array.from(serial).reverse().map(hex2).join(''));
      return f.result('ntfs', 'filesystem');
    }),
} satisfies FsProber;
