// HFS and HFS+ (also HFSX, and HFS+ wrapped in an HFS volume). The UUID is derived
// from the 64-bit volume id in the Finder info with an MD5 name-based scheme; the HFS+
// label is the name of the root folder, found as the first record of the catalog
// B-tree's first leaf node.
// Reference: Apple TN1150 "HFS Plus Volume Format" (volume header, B-trees, catalog
// file keys); util-linux libblkid superblocks/hfs.c (hfs_set_uuid).

import { md5 } from '@noble/hashes/legacy.js';
import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { dceUuid, isZero, rawLabel, utf8Label } from './text.js';
import type { FsProber } from './types.js';

const VH_OFFSET = 1024;
const MAGIC_BD = magic('BD', VH_OFFSET);
const MAGIC_HPLUS = magic('H+', VH_OFFSET);
const MAGIC_HX = magic('HX', VH_OFFSET);
/** The volume header up to the end of the catalog file fork (272 + 80). */
const VH_LEN = 352;
/** The HFS master directory block up to embed_blockcount. */
const MDB_LEN = 130;
const CATALOG_FORK = 272;
const NODE_DESCRIPTOR = 14;
const NODE_LEAF = 0xff;
const ROOT_PARENT_CNID = 1;
/** libblkid reads 8 KiB of the catalog's header node; a node may be at most 32 KiB. */
const HEADER_NODE_READ = 0x2000;
const MAX_NODE_SIZE = 32 * 1024;
/** The namespace libblkid hashes the volume id in (a fixed 16-byte MD5 prefix). */
const HASH_INIT = Uint8Array.from([
  0xb3, 0xe2, 0x0f, 0x39, 0xf2, 0x92, 0x11, 0xd6, 0x97, 0xa4, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac,
]);

/** hfs_set_uuid: MD5(namespace || volume id), marked as a version-3 UUID. */
export function hfsUuid(id: Uint8Array): string | undefined {
  if (isZero(id)) return undefined;
  const buf = new Uint8Array(HASH_INIT.length + id.length);
  buf.set(HASH_INIT);
  buf.set(id, HASH_INIT.length);
  const u = md5(buf);
  u[6] = 0x30 | (u[6]! & 0x0f);
  u[8] = 0x80 | (u[8]! & 0x3f);
  return dceUuid(u);
}

/** The root folder's name: first key of the catalog's first leaf node. */
function catalogLabel(r: ProbeReader, vh: Bytes, base: number): string | undefined {
  const blockSize = vh.u32be(40);
  const extents = Array.from({ length: 8 }, (_, i) => [
    vh.u32be(CATALOG_FORK + 16 + i * 8),
    vh.u32be(CATALOG_FORK + 20 + i * 8),
  ]);
  const hdrAt = base + extents[0]![0]! * blockSize;
  const hb = r.bytes(hdrAt, HEADER_NODE_READ);
  if (!hb) return undefined;
  const header = new Bytes(hb, 'HFS+ catalog header node', hdrAt);
  const leafHead = header.u32be(NODE_DESCRIPTOR + 10);
  const nodeSize = header.u16be(NODE_DESCRIPTOR + 18);
  const leafCount = header.u32be(NODE_DESCRIPTOR + 6);
  if (nodeSize < NODE_DESCRIPTOR + 518 || nodeSize > MAX_NODE_SIZE || leafCount === 0)
    return undefined;
  let leafBlock = Math.floor((leafHead * nodeSize) / blockSize);
  let start: number | undefined;
  for (const [extStart, extCount] of extents) {
    if (extCount === 0) return undefined;
    if (leafBlock < extCount!) {
      start = extStart!;
      break;
    }
    leafBlock -= extCount!;
  }
  if (start === undefined) return undefined;
  const leafAt = base + (start + leafBlock) * blockSize;
  const lb = r.bytes(leafAt, nodeSize);
  if (!lb) return undefined;
  const leaf = new Bytes(lb, 'HFS+ catalog leaf node', leafAt);
  if (leaf.u16be(10) === 0 || leaf.u8(8) !== NODE_LEAF) return undefined;
  const nameLen = leaf.u16be(NODE_DESCRIPTOR + 6);
  if (leaf.u32be(NODE_DESCRIPTOR + 2) !== ROOT_PARENT_CNID || nameLen > 255) return undefined;
  return utf8Label(leaf.raw(NODE_DESCRIPTOR + 8, nameLen * 2), 'utf16be');
}

export const hfsplusProber = {
  type: 'hfsplus',
  probe: (src) =>
    guarded(src, (r) => {
      const m = findMagic(r, [MAGIC_BD, MAGIC_HPLUS, MAGIC_HX]);
      if (!m) return undefined;
      let base = 0;
      if (m === MAGIC_BD) {
        // An HFS wrapper: the embedded HFS+ volume starts inside its allocation area.
        const mb = r.bytes(VH_OFFSET, MDB_LEN);
        if (!mb) return undefined;
        const mdb = new Bytes(mb, 'HFS master directory block', VH_OFFSET);
        if (!mdb.equals(124, 'H+') && !mdb.equals(124, 'HX')) return undefined;
        base = mdb.u16be(28) * 512 + mdb.u16be(126) * mdb.u32be(20);
      }
      const vb = r.bytes(base + VH_OFFSET, VH_LEN);
      if (!vb) return undefined;
      const vh = new Bytes(vb, 'HFS+ volume header', base + VH_OFFSET);
      if (!vh.equals(0, 'H+') && !vh.equals(0, 'HX')) return undefined;
      const f = new Found().set('UUID', hfsUuid(vh.raw(80 + 24, 8)));
      if (vh.u32be(40) < 512) return undefined;
      f.set('LABEL', catalogLabel(r, vh, base));
      f.set('BLOCK_SIZE', String(vh.u32be(40)));
      return f.result('hfsplus', 'filesystem');
    }),
} satisfies FsProber;

/** Plain HFS: label is a Pascal string in the master directory block. */
export const hfsProber = {
  type: 'hfs',
  tolerant: true,
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [MAGIC_BD])) return undefined;
      const mb = r.bytes(VH_OFFSET, MDB_LEN);
      if (!mb) return undefined;
      const mdb = new Bytes(mb, 'HFS master directory block', VH_OFFSET);
      if (mdb.equals(124, 'H+') || mdb.equals(124, 'HX')) return undefined;
      const len = Math.min(mdb.u8(36), 27);
      return new Found()
        .set('UUID', hfsUuid(mdb.raw(92 + 24, 8)))
        .set('LABEL', rawLabel(mdb.raw(37, len)))
        .result('hfs', 'filesystem');
    }),
} satisfies FsProber;
