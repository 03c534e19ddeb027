// seSparse ("space-efficient sparse") extents of ESXi 6.5+ snapshots and linked clones: a
// constant header (sector 0), a volatile header, a journal, and a two-level map of 64-bit
// entries. The format is not officially documented; the checks are QEMU's, which are
// strict on purpose (only the layout ESXi writes is known).
//   GD entry: 0 = no table; 0x1000000000000000 | n = grain table n of the tables area.
//   GT entry: top nibble 0 = unallocated (the rest must be 0), 1 = SCSI-unmapped and
//   2 = zero (both read as zeros), 3 = allocated: grain number
//   ((e & 0x0fff000000000000) >> 48) | ((e & 0x0000ffffffffffff) << 12) of the grains area.
// Reference: QEMU block/vmdk.c VMDKSESparseConstHeader, check_se_sparse_const_header,
// check_se_sparse_volatile_header, get_cluster_offset (the sesparse branch).

import { corrupt, EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { ENTRY_UNALLOCATED, ENTRY_ZERO, type GrainLayout } from './grain-map.js';
import { SECTOR } from './sparse-header.js';

export const SESPARSE_HEADER_STRUCTURE = 'VMDK seSparse header';
export const SESPARSE_VOLATILE_STRUCTURE = 'VMDK seSparse volatile header';
export const SESPARSE_GD_STRUCTURE = 'VMDK seSparse grain directory';
export const SESPARSE_GT_STRUCTURE = 'VMDK seSparse grain table';
/** 0x00000000cafebabe and 0x00000000cafecafe, little-endian u64. */
export const SESPARSE_MAGIC = 0xcafebaben;
const VOLATILE_MAGIC = 0xcafecafen;
const SESPARSE_VERSION = 0x0000000200000001n;
/** The only layout ESXi writes: 4 KiB grains, 4096-entry (32 KiB) grain tables. */
const GRAIN_SECTORS = 8n;
const GT_SECTORS = 64n;
/** 64 TiB (the seSparse maximum) / 16 MiB per table = 4 Mi GD entries (32 MiB). */
export const MAX_SESPARSE_GD_ENTRIES = 4 * 1024 * 1024;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface SeSparseHeader {
  readonly capacity: number;
  readonly layout: GrainLayout;
}

/** Field offsets of the constant header (u64 each), named as QEMU names them. */
const F = {
  magic: 0, version: 8, capacity: 16, grain_size: 24, grain_table_size: 32, flags: 40,
  reserved1: 48, volatile_header_offset: 80, grain_dir_offset: 128, grain_dir_size: 136,
  grain_tables_offset: 144, grain_tables_size: 152, grains_offset: 192, grains_size: 200,
  pad: 208,
} as const; // prettier-ignore

function unsupportedHeader(what: string, offset: number): EngineError {
  const feature = `VMDK seSparse ${what}`;
  return new EngineError('unsupported', feature, {
    feature,
    structure: SESPARSE_HEADER_STRUCTURE,
    offset,
  });
}

/** Read and check both headers, and describe the map. */
export function readSeSparseHeader(file: BlockSource): SeSparseHeader {
  if (file.size < 2 * SECTOR) {
    const min = 2 * SECTOR;
    throw corrupt(SESPARSE_HEADER_STRUCTURE, 0, 'file shorter than its headers', min, file.size);
  }
  const b = new Bytes(file.readAt(0, SECTOR), SESPARSE_HEADER_STRUCTURE, 0);
  checkConstHeader(b);
  checkVolatileHeader(file, sectorsField(b, F.volatile_header_offset, file.size));
  const capacity = sectorsField(b, F.capacity, MAX_SAFE, 'capacity exceeds 2^53 bytes');
  const grainSize = Number(GRAIN_SECTORS) * SECTOR;
  const gtEntries = (Number(GT_SECTORS) * SECTOR) / 8;
  const gd = grainDirectory(b, file.size, Math.ceil(capacity / (grainSize * gtEntries)));
  const tables = {
    offset: sectorsField(b, F.grain_tables_offset, file.size),
    size: sectorsField(b, F.grain_tables_size, file.size),
  };
  const grains = {
    offset: sectorsField(b, F.grains_offset, file.size),
    size: sectorsField(b, F.grains_size, MAX_SAFE, 'exceeds 2^53 bytes'),
  };
  return {
    capacity,
    layout: {
      gdStructure: SESPARSE_GD_STRUCTURE,
      gtStructure: SESPARSE_GT_STRUCTURE,
      grainSize,
      gtEntries,
      entryBytes: 8,
      gdOffset: gd.offset,
      gdEntries: gd.entries,
      compressed: false,
      gtOffset: (bytes, i) => gtOffset(bytes, i, tables, gtEntries * 8),
      grain: (gt, i) => grainOffset(gt, i, grains, grainSize),
    },
  };
}

/** The grain directory: inside the file, within its limit, and large enough for `needed`. */
function grainDirectory(b: Bytes, fileSize: number, needed: number) {
  const offset = sectorsField(b, F.grain_dir_offset, fileSize);
  const entries = sectorsField(b, F.grain_dir_size, fileSize) / 8;
  const at = F.grain_dir_size;
  if (entries > MAX_SESPARSE_GD_ENTRIES) {
    const limit = `<= ${MAX_SESPARSE_GD_ENTRIES}`;
    throw corrupt(SESPARSE_HEADER_STRUCTURE, at, 'exceeds MAX_SESPARSE_GD_ENTRIES', limit, entries);
  }
  if (entries < needed) {
    const what = 'grain directory too small for the capacity';
    throw corrupt(SESPARSE_HEADER_STRUCTURE, at, what, `>= ${needed}`, entries);
  }
  return { offset, entries };
}

/** A sector-count field as bytes; it must lie within `limit` (the file, for offsets). */
function sectorsField(
  b: Bytes,
  off: number,
  limit: number,
  what = 'points past the end of the file',
): number {
  const v = b.u64leBig(off) * BigInt(SECTOR);
  if (v > BigInt(limit)) throw corrupt(SESPARSE_HEADER_STRUCTURE, off, what, `<= ${limit}`, v);
  return Number(v);
}

function checkConstHeader(b: Bytes): void {
  const magic = b.u64leBig(F.magic);
  if (magic !== SESPARSE_MAGIC)
    throw corrupt(SESPARSE_HEADER_STRUCTURE, 0, 'bad magic', SESPARSE_MAGIC, magic);
  const version = b.u64leBig(F.version);
  if (version !== SESPARSE_VERSION)
    throw unsupportedHeader(`version 0x${version.toString(16)}`, F.version);
  if (b.u64leBig(F.grain_size) !== GRAIN_SECTORS)
    throw unsupportedHeader(`grain size ${b.u64leBig(F.grain_size)}`, F.grain_size);
  if (b.u64leBig(F.grain_table_size) !== GT_SECTORS) {
    throw unsupportedHeader(
      `grain table size ${b.u64leBig(F.grain_table_size)}`,
      F.grain_table_size,
    );
  }
  if (b.u64leBig(F.flags) !== 0n) throw unsupportedHeader('flags', F.flags);
  for (let off = F.reserved1; off < F.reserved1 + 32; off += 8) {
    if (b.u64leBig(off) !== 0n) throw unsupportedHeader('reserved fields', off);
  }
  if (b.raw(F.pad, SECTOR - F.pad).some((x) => x !== 0))
    throw unsupportedHeader('header padding', F.pad);
}

function checkVolatileHeader(file: BlockSource, at: number): void {
  if (at === 0 || at + SECTOR > file.size) {
    throw corrupt(
      SESPARSE_HEADER_STRUCTURE,
      F.volatile_header_offset,
      'volatile header outside the file',
      `< ${file.size}`,
      at,
    );
  }
  const v = new Bytes(file.readAt(at, SECTOR), SESPARSE_VOLATILE_STRUCTURE, at);
  if (v.u64leBig(0) !== VOLATILE_MAGIC)
    throw corrupt(SESPARSE_VOLATILE_STRUCTURE, at, 'bad magic', VOLATILE_MAGIC, v.u64leBig(0));
  // A journal left to replay means the tables may not describe the data yet.
  if (v.u64leBig(24) !== 0n) {
    throw new EngineError('unsupported', 'VMDK seSparse journal replay (the image is dirty)', {
      feature: 'VMDK seSparse journal replay',
      structure: SESPARSE_VOLATILE_STRUCTURE,
      offset: at + 24,
    });
  }
}

function gtOffset(
  gd: Bytes,
  i: number,
  tables: { offset: number; size: number },
  gtBytes: number,
): number {
  const lo = gd.u32le(i * 8);
  const hi = gd.u32le(i * 8 + 4);
  if (lo === 0 && hi === 0) return 0;
  // QEMU: the top four bytes must be exactly 0x10000000 (64 TiB / 16 MiB fits in 32 bits).
  if (hi !== 0x10000000) {
    throw corrupt(
      SESPARSE_GD_STRUCTURE,
      gd.base + i * 8,
      'bad grain directory entry type',
      '0x10000000xxxxxxxx',
      `0x${hi.toString(16)}`,
    );
  }
  if ((lo + 1) * gtBytes > tables.size) {
    throw corrupt(
      SESPARSE_GD_STRUCTURE,
      gd.base + i * 8,
      'grain table number past the tables area',
      `< ${tables.size / gtBytes}`,
      lo,
    );
  }
  return tables.offset + lo * gtBytes;
}

function grainOffset(
  gt: Bytes,
  i: number,
  grains: { offset: number; size: number },
  grainSize: number,
): number {
  const lo = gt.u32le(i * 8);
  const hi = gt.u32le(i * 8 + 4);
  const at = gt.base + i * 8;
  switch (hi >>> 28) {
    case 0:
      if (lo !== 0 || hi !== 0)
        throw corrupt(
          SESPARSE_GT_STRUCTURE,
          at,
          'unallocated entry with bits set',
          0,
          `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`,
        );
      return ENTRY_UNALLOCATED;
    case 1: // SCSI-unmapped
    case 2: // zero
      return ENTRY_ZERO;
    case 3: {
      // Bits 0..47 are the grain number's high part and bits 48..59 its low 12 bits.
      const high = (hi & 0xffff) * 2 ** 32 + lo;
      const grain = high * 4096 + ((hi >>> 16) & 0xfff);
      if (!Number.isSafeInteger(grain) || (grain + 1) * grainSize > grains.size) {
        throw corrupt(
          SESPARSE_GT_STRUCTURE,
          at,
          'grain number past the grains area',
          `< ${grains.size / grainSize}`,
          grain,
        );
      }
      return grains.offset + grain * grainSize;
    }
    default:
      throw corrupt(SESPARSE_GT_STRUCTURE, at, 'bad grain table entry type', '0..3', hi >>> 28);
  }
}
