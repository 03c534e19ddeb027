// The hosted sparse extent header ("KDMV"), the first sector of monolithicSparse,
// streamOptimized and twoGbMaxExtentSparse extent files. A streamOptimized file may leave
// gdOffset = GD_AT_END in it: the real header is then the footer, in the second-to-last
// sector, after a footer marker and before the end-of-stream marker.
// Reference: VMware "Virtual Disk Format 1.1", "Hosted Sparse Extent Header" and "Stream-
// Optimized Compressed Sparse Extents" (markers, footer); QEMU block/vmdk.c vmdk_open_vmdk4
// (footer checks, version 3 read-only, numGTEsPerGT and grain size limits).

import { corrupt, EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';

export const SPARSE_HEADER_STRUCTURE = 'VMDK sparse extent header';
export const FOOTER_STRUCTURE = 'VMDK footer';
export const SECTOR = 512;
/** "KDMV" as a little-endian u32. */
export const SPARSE_MAGIC = 0x564d444b;
export const GD_AT_END = 0xffffffffffffffffn;

/** flags bits. */
export const FLAG_NL_DETECT = 1 << 0;
export const FLAG_REDUNDANT_GD = 1 << 1;
export const FLAG_ZERO_GRAIN = 1 << 2;
export const FLAG_COMPRESSED = 1 << 16;
export const FLAG_MARKERS = 1 << 17;
/** Marker types of stream-optimized extents. */
export const MARKER_EOS = 0;
export const MARKER_GT = 1;
export const MARKER_GD = 2;
export const MARKER_FOOTER = 3;

export const COMPRESSION_NONE = 0;
export const COMPRESSION_DEFLATE = 1;

/**
 * Grains are at most 2 MiB (4096 sectors). VMware and QEMU write 64 KiB; a compressed grain
 * is inflated into a grain-sized buffer, so this bounds that allocation.
 */
export const MAX_GRAIN_SECTORS = 4096;
/** The spec and QEMU: 512 entries per grain table. */
export const MAX_GTES_PER_GT = 512;
/**
 * The grain directory is read whole: 8 Mi entries (32 MiB) map 256 TiB with the standard
 * 64 KiB grains and 512-entry tables, far past the 2 TiB hosted sparse limit.
 */
export const MAX_GD_ENTRIES = 8 * 1024 * 1024;
const MAX_SAFE_SECTORS = Math.floor(Number.MAX_SAFE_INTEGER / SECTOR);

/** The header's fields as stored, named as in the spec (sector counts stay in sectors). */
export interface SparseExtentHeaderFields {
  magicNumber: number;
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  rgdOffset: number;
  gdOffset: bigint;
  overHead: number;
  uncleanShutdown: number;
  singleEndLineChar: number;
  nonEndLineChar: number;
  doubleEndLineChar1: number;
  doubleEndLineChar2: number;
  compressAlgorithm: number;
}

/** A validated header: byte units, and the grain directory located. */
export interface SparseExtentHeader {
  readonly fields: SparseExtentHeaderFields;
  /** Where the fields were read: 0, or the footer's offset. */
  readonly at: number;
  readonly version: number;
  readonly capacity: number;
  readonly grainSize: number;
  readonly gtEntries: number;
  readonly gdOffset: number;
  readonly gdEntries: number;
  readonly overHead: number;
  readonly zeroGrain: boolean;
  readonly compressed: boolean;
  readonly markers: boolean;
  readonly descriptorOffset: number;
  readonly descriptorSize: number;
}

/** Step 1: the raw fields of the 512-byte header at `at`. */
export function decodeSparseHeader(b: Bytes): SparseExtentHeaderFields {
  return {
    magicNumber: b.u32le(0),
    version: b.u32le(4),
    flags: b.u32le(8),
    capacity: sectors(b, 12, 'capacity'),
    grainSize: sectors(b, 20, 'grainSize'),
    descriptorOffset: sectors(b, 28, 'descriptorOffset'),
    descriptorSize: sectors(b, 36, 'descriptorSize'),
    numGTEsPerGT: b.u32le(44),
    rgdOffset: sectors(b, 48, 'rgdOffset'),
    gdOffset: b.u64leBig(56),
    overHead: sectors(b, 64, 'overHead'),
    uncleanShutdown: b.u8(72),
    singleEndLineChar: b.u8(73),
    nonEndLineChar: b.u8(74),
    doubleEndLineChar1: b.u8(75),
    doubleEndLineChar2: b.u8(76),
    compressAlgorithm: b.u16le(77),
  };
}

/** A sector count whose byte value must stay below 2^53. */
function sectors(b: Bytes, off: number, field: string): number {
  const v = b.u64leBig(off);
  if (v > BigInt(MAX_SAFE_SECTORS)) {
    throw corrupt(
      b.structure,
      b.base + off,
      `${field} exceeds 2^53 bytes`,
      `<= ${MAX_SAFE_SECTORS}`,
      v,
    );
  }
  return Number(v);
}

/** Read the header of a sparse extent file, following GD_AT_END to the footer. */
export function readSparseHeader(file: BlockSource): SparseExtentHeader {
  if (file.size < SECTOR) {
    throw corrupt(SPARSE_HEADER_STRUCTURE, 0, 'file shorter than one header', SECTOR, file.size);
  }
  let b = new Bytes(file.readAt(0, SECTOR), SPARSE_HEADER_STRUCTURE, 0);
  let fields = decodeSparseHeader(b);
  checkMagicAndVersion(fields, 0);
  if (fields.gdOffset === GD_AT_END) {
    b = readFooter(file);
    fields = decodeSparseHeader(b);
    checkMagicAndVersion(fields, b.base);
  }
  return validateSparseHeader(fields, b.base, file.size);
}

/**
 * The footer: a marker sector (size 0, type MARKER_FOOTER), the header copy, and an
 * end-of-stream marker (all zero) in the last three sectors, as QEMU checks them.
 */
function readFooter(file: BlockSource): Bytes {
  const at = file.size - 3 * SECTOR;
  if (at < SECTOR) throw corrupt(FOOTER_STRUCTURE, 0, 'file too short for a footer');
  const b = new Bytes(file.readAt(at, 3 * SECTOR), FOOTER_STRUCTURE, at);
  if (b.u32le(8) !== 0 || b.u32le(12) !== MARKER_FOOTER) {
    throw corrupt(
      FOOTER_STRUCTURE,
      at,
      'no footer marker before the footer',
      MARKER_FOOTER,
      b.u32le(12),
    );
  }
  if (
    b.u64leBig(2 * SECTOR) !== 0n ||
    b.u32le(2 * SECTOR + 8) !== 0 ||
    b.u32le(2 * SECTOR + 12) !== 0
  ) {
    throw corrupt(FOOTER_STRUCTURE, at + 2 * SECTOR, 'no end-of-stream marker after the footer');
  }
  return b.sub(SECTOR, SECTOR, FOOTER_STRUCTURE);
}

function checkMagicAndVersion(f: SparseExtentHeaderFields, at: number): void {
  const structure = at === 0 ? SPARSE_HEADER_STRUCTURE : FOOTER_STRUCTURE;
  if (f.magicNumber !== SPARSE_MAGIC) {
    throw corrupt(structure, at, 'bad magic', SPARSE_MAGIC, f.magicNumber);
  }
  // Version 3 added changed-block tracking, which readers may ignore (VMware KB 2064959).
  if (f.version > 3) {
    throw new EngineError('unsupported', `VMDK sparse extent version ${f.version}`, {
      feature: `VMDK sparse extent version ${f.version}`,
      structure,
      offset: at + 4,
    });
  }
  if (f.version === 0) throw corrupt(structure, at + 4, 'bad version', '1..3', 0);
}

/** Step 2: check every field the grain map relies on. */
export function validateSparseHeader(
  f: SparseExtentHeaderFields,
  at: number,
  fileSize: number,
): SparseExtentHeader {
  const structure = at === 0 ? SPARSE_HEADER_STRUCTURE : FOOTER_STRUCTURE;
  checkLayoutFields(f, at, fileSize, structure);
  const { gdOffset, gdEntries } = locateGrainDirectory(f, at, fileSize, structure);
  checkDescriptorArea(f, at, fileSize, structure);
  return {
    fields: f,
    at,
    version: f.version,
    capacity: f.capacity * SECTOR,
    grainSize: f.grainSize * SECTOR,
    gtEntries: f.numGTEsPerGT,
    gdOffset,
    gdEntries,
    overHead: f.overHead * SECTOR,
    zeroGrain: (f.flags & FLAG_ZERO_GRAIN) !== 0,
    compressed: f.compressAlgorithm === COMPRESSION_DEFLATE,
    markers: (f.flags & FLAG_MARKERS) !== 0,
    descriptorOffset: f.descriptorOffset * SECTOR,
    descriptorSize: f.descriptorSize * SECTOR,
  };
}

/** Newline check, grain size, table size, compression and the metadata area. */
function checkLayoutFields(
  f: SparseExtentHeaderFields,
  at: number,
  fileSize: number,
  structure: string,
): void {
  const bad = (off: number, what: string, exp?: string | number, act?: string | number) =>
    corrupt(structure, at + off, what, exp, act);
  // The newline check exists to catch files mangled by text-mode FTP transfers.
  const newlines = [
    f.singleEndLineChar,
    f.nonEndLineChar,
    f.doubleEndLineChar1,
    f.doubleEndLineChar2,
  ];
  if (f.flags & FLAG_NL_DETECT && newlines.join() !== '10,32,13,10') {
    throw bad(73, 'newline check characters changed (text-mode transfer?)', '0a 20 0d 0a');
  }
  const g = f.grainSize;
  if (g === 0 || g > MAX_GRAIN_SECTORS || (g & (g - 1)) !== 0) {
    const range = `1..${MAX_GRAIN_SECTORS}`;
    throw bad(20, 'grainSize not a power of two within MAX_GRAIN_SECTORS', range, g);
  }
  if (f.numGTEsPerGT === 0 || f.numGTEsPerGT > MAX_GTES_PER_GT) {
    throw bad(44, 'numGTEsPerGT out of range', `1..${MAX_GTES_PER_GT}`, f.numGTEsPerGT);
  }
  if (f.compressAlgorithm > COMPRESSION_DEFLATE) {
    const feature = `VMDK compression algorithm ${f.compressAlgorithm}`;
    throw new EngineError('unsupported', feature, { feature, structure, offset: at + 77 });
  }
  if (f.overHead * SECTOR > fileSize) {
    const limit = `<= ${fileSize / SECTOR}`;
    throw bad(64, 'overHead past the end of the file (truncated?)', limit, f.overHead);
  }
}

/** One GD entry per grain table, one table per numGTEsPerGT grains of capacity. */
function locateGrainDirectory(
  f: SparseExtentHeaderFields,
  at: number,
  fileSize: number,
  structure: string,
): { gdOffset: number; gdEntries: number } {
  const span = f.numGTEsPerGT * f.grainSize;
  const gdEntries = Math.ceil(f.capacity / span);
  if (gdEntries > MAX_GD_ENTRIES) {
    throw corrupt(
      structure,
      at + 12,
      'grain directory exceeds MAX_GD_ENTRIES',
      `<= ${MAX_GD_ENTRIES}`,
      gdEntries,
    );
  }
  if (f.gdOffset > BigInt(MAX_SAFE_SECTORS)) {
    throw corrupt(
      structure,
      at + 56,
      'gdOffset exceeds 2^53 bytes',
      `<= ${MAX_SAFE_SECTORS}`,
      f.gdOffset,
    );
  }
  const gdOffset = Number(f.gdOffset) * SECTOR;
  if (gdEntries > 0 && (gdOffset === 0 || gdOffset + gdEntries * 4 > fileSize)) {
    throw corrupt(
      structure,
      at + 56,
      'grain directory outside the file',
      `< ${fileSize}`,
      gdOffset,
    );
  }
  return { gdOffset, gdEntries };
}

function checkDescriptorArea(
  f: SparseExtentHeaderFields,
  at: number,
  fileSize: number,
  structure: string,
): void {
  if (f.descriptorOffset === 0) return;
  const end = (f.descriptorOffset + f.descriptorSize) * SECTOR;
  if (end > fileSize) {
    throw corrupt(
      structure,
      at + 28,
      'embedded descriptor past the end of the file',
      `<= ${fileSize}`,
      end,
    );
  }
}
