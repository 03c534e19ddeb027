// The regf base block: the first 4096 bytes of a primary hive file. It names the root key
// and the extent of the hive bins, and carries the sequence numbers that say whether the
// last write finished. A dirty hive (sequence numbers differ) is still read as it is on
// disk — transaction logs (.LOG1/.LOG2) are not replayed — and `dirty` says so.
// Reference: M. Suhanov, "Windows registry file format specification", "Base block".

import { corrupt, unsupported } from '../errors.js';
import { Bytes } from '../io/bytes.js';

export const BASE_BLOCK_SIZE = 4096;
/** Every cell offset in the hive is relative to the start of the hive bins data. */
export const HIVE_BINS_START = BASE_BLOCK_SIZE;
/** An offset field meaning "none" (no subkey list, no class name, no value list). */
export const NO_OFFSET = 0xffffffff;

const STRUCTURE = 'regf base block';
const CHECKSUM_OFFSET = 508;
/** File type 0 is a primary file; 1, 2 and 6 are transaction logs and alternate files. */
const FILE_TYPE_PRIMARY = 0;
/** File format 1: "direct memory load", the only format Windows NT writes. */
const FILE_FORMAT_DIRECT = 1;

export interface BaseBlock {
  primarySequence: number;
  secondarySequence: number;
  /** FILETIME (100 ns units since 1601-01-01 UTC). */
  lastWritten: bigint;
  majorVersion: number;
  minorVersion: number;
  /** Absolute file offset of the root key node's cell. */
  rootCell: number;
  /** Length of the hive bins data that follows the base block. */
  hiveBinsDataSize: number;
  /** The debugging file name Windows stores (partial path, UTF-16, ≤ 32 characters). */
  fileName: string;
  /** The last write did not finish (sequence numbers differ): read as on disk, logs ignored. */
  dirty: boolean;
}

/** XOR of the first 127 little-endian 32-bit words, with Windows' two reserved values mapped. */
export function baseBlockChecksum(b: Bytes): number {
  let sum = 0;
  for (let off = 0; off < CHECKSUM_OFFSET; off += 4) sum = (sum ^ b.u32le(off)) >>> 0;
  return sum;
}

function checksumMatches(computed: number, stored: number): boolean {
  if (computed === stored) return true;
  // Windows never stores 0 or 0xFFFFFFFF: it writes 1 and 0xFFFFFFFE instead.
  return (computed === 0 && stored === 1) || (computed === 0xffffffff && stored === 0xfffffffe);
}

/** Decode and validate the base block of a hive of `fileSize` bytes. */
export function parseBaseBlock(file: Uint8Array): BaseBlock {
  if (file.length < BASE_BLOCK_SIZE + 4096) {
    throw corrupt(
      STRUCTURE,
      0,
      'file is too small to hold a base block and one hive bin',
      8192,
      file.length,
    );
  }
  const b = new Bytes(file.subarray(0, BASE_BLOCK_SIZE), STRUCTURE, 0);
  if (!b.equals(0, 'regf')) {
    throw corrupt(STRUCTURE, 0, 'bad signature', 'regf', b.ascii(0, 4));
  }
  const stored = b.u32le(CHECKSUM_OFFSET);
  const computed = baseBlockChecksum(b);
  if (!checksumMatches(computed, stored)) {
    throw corrupt(STRUCTURE, CHECKSUM_OFFSET, 'checksum mismatch', computed, stored);
  }
  const block = decodeFields(b);
  validate(block, b, file.length);
  return block;
}

function decodeFields(b: Bytes): BaseBlock {
  const primarySequence = b.u32le(4);
  const secondarySequence = b.u32le(8);
  return {
    primarySequence,
    secondarySequence,
    lastWritten: b.u64leBig(12),
    majorVersion: b.u32le(20),
    minorVersion: b.u32le(24),
    rootCell: HIVE_BINS_START + b.u32le(36),
    hiveBinsDataSize: b.u32le(40),
    fileName: b.utf16le(48, 64),
    dirty: primarySequence !== secondarySequence,
  };
}

function validate(block: BaseBlock, b: Bytes, fileSize: number): void {
  if (block.majorVersion !== 1) {
    throw unsupported(`regf major version ${block.majorVersion}`, 'only version 1 hives exist');
  }
  const fileType = b.u32le(28);
  if (fileType !== FILE_TYPE_PRIMARY) {
    throw unsupported(`regf file type ${fileType}`, 'a transaction log, not a primary hive file');
  }
  const format = b.u32le(32);
  if (format !== FILE_FORMAT_DIRECT) {
    throw corrupt(STRUCTURE, 32, 'unknown file format', FILE_FORMAT_DIRECT, format);
  }
  const size = block.hiveBinsDataSize;
  if (size === 0 || size % 4096 !== 0 || HIVE_BINS_START + size > fileSize) {
    throw corrupt(
      STRUCTURE,
      40,
      'hive bins data size is not a 4 KiB multiple within the file',
      `<= ${fileSize - HIVE_BINS_START}`,
      size,
    );
  }
  if (block.rootCell >= HIVE_BINS_START + size) {
    throw corrupt(
      STRUCTURE,
      36,
      'root cell offset lies past the hive bins',
      `< ${size}`,
      block.rootCell - HIVE_BINS_START,
    );
  }
}
