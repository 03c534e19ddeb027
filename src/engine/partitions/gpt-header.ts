// The GPT header: one sector at LBA 1 (primary) and at the last LBA (backup), each naming
// the other and the LBA of its own copy of the partition entry array.
// Reference: UEFI Specification 2.10 §5.3.2 "GPT Header" (Table 5-5) and the validity
// rules of §5.3.2 (signature, HeaderCRC32 over HeaderSize bytes with the CRC field zeroed,
// MyLBA, SizeOfPartitionEntry = 128 × 2^n); Linux block/partitions/efi.c is_gpt_valid().

import { corrupt } from '../errors.js';
import { Bytes } from '../io/bytes.js';
import { crc32 } from '../util/crc32.js';

export const GPT_SIGNATURE = 'EFI PART';
/** The header fields defined by the spec end at byte 92; the rest of the sector is reserved. */
export const GPT_HEADER_MIN_SIZE = 92;
export const GPT_ENTRY_MIN_SIZE = 128;
/**
 * Sanity limits, checked before anything is allocated. Partitioning tools write 128
 * entries of 128 bytes (16 KiB); sgdisk can grow the table, but nothing in use comes near
 * these. They bound what a hostile header can make us read.
 */
export const GPT_MAX_ENTRY_SIZE = 4096;
export const GPT_MAX_ENTRIES = 65536;
export const GPT_MAX_ENTRY_ARRAY_BYTES = 16 * 1024 * 1024;

export interface GptHeader {
  /** The LBA this header was read from, and the sector size it was read with. */
  lba: number;
  sectorSize: number;
  revision: number;
  headerSize: number;
  headerCrc32: number;
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  /** Uppercase, as sgdisk and libguestfs print it. */
  diskGuid: string;
  partitionEntryLba: number;
  numberOfPartitionEntries: number;
  sizeOfPartitionEntry: number;
  partitionEntryArrayCrc32: number;
}

/** The raw fields, before any validation. */
function decodeFields(b: Bytes, lba: number, sectorSize: number): GptHeader {
  return {
    lba,
    sectorSize,
    revision: b.u32le(8),
    headerSize: b.u32le(12),
    headerCrc32: b.u32le(16),
    myLba: b.u64le(24, 'MyLBA'),
    alternateLba: b.u64le(32, 'AlternateLBA'),
    firstUsableLba: b.u64le(40, 'FirstUsableLBA'),
    lastUsableLba: b.u64le(48, 'LastUsableLBA'),
    diskGuid: b.guid(56).toUpperCase(),
    partitionEntryLba: b.u64le(72, 'PartitionEntryLBA'),
    numberOfPartitionEntries: b.u32le(80),
    sizeOfPartitionEntry: b.u32le(84),
    partitionEntryArrayCrc32: b.u32le(88),
  };
}

/** Whether the sector starts with the GPT signature. Never throws. */
export function hasGptSignature(sector: Uint8Array): boolean {
  return new Bytes(sector, 'GPT header').equals(0, GPT_SIGNATURE);
}

/**
 * Decode and validate the header in `sector`, read from `lba` with `sectorSize`-byte
 * sectors. Throws corrupt('GPT header') naming the first field that is wrong.
 */
export function decodeGptHeader(sector: Uint8Array, lba: number, sectorSize: number): GptHeader {
  const base = lba * sectorSize;
  const b = new Bytes(sector, 'GPT header', base);
  if (!b.equals(0, GPT_SIGNATURE)) {
    throw corrupt('GPT header', base, 'signature is not "EFI PART"', GPT_SIGNATURE, b.ascii(0, 8));
  }
  const h = decodeFields(b, lba, sectorSize);
  checkHeaderSize(h, base);
  checkHeaderCrc(b, h, base);
  checkLbas(h, base);
  checkEntryGeometry(h, base);
  return h;
}

function checkHeaderSize(h: GptHeader, base: number): void {
  if (h.headerSize < GPT_HEADER_MIN_SIZE || h.headerSize > h.sectorSize) {
    throw corrupt(
      'GPT header',
      base + 12,
      'HeaderSize out of range',
      `${GPT_HEADER_MIN_SIZE}..${h.sectorSize}`,
      h.headerSize,
    );
  }
}

function checkHeaderCrc(b: Bytes, h: GptHeader, base: number): void {
  const copy = b.raw(0, h.headerSize).slice();
  copy.fill(0, 16, 20);
  const actual = crc32(copy);
  if (actual !== h.headerCrc32) {
    throw corrupt(
      'GPT header',
      base + 16,
      'HeaderCRC32 mismatch',
      hex32(h.headerCrc32),
      hex32(actual),
    );
  }
}

function checkLbas(h: GptHeader, base: number): void {
  if (h.myLba !== h.lba) {
    throw corrupt(
      'GPT header',
      base + 24,
      'MyLBA is not the LBA the header was read from',
      h.lba,
      h.myLba,
    );
  }
  if (h.firstUsableLba > h.lastUsableLba + 1) {
    throw corrupt(
      'GPT header',
      base + 40,
      'FirstUsableLBA is past LastUsableLBA',
      `<= ${h.lastUsableLba + 1}`,
      h.firstUsableLba,
    );
  }
}

function checkEntryGeometry(h: GptHeader, base: number): void {
  const size = h.sizeOfPartitionEntry;
  const pow2 = size >= GPT_ENTRY_MIN_SIZE && (size & (size - 1)) === 0;
  if (!pow2 || size > GPT_MAX_ENTRY_SIZE) {
    throw corrupt(
      'GPT header',
      base + 84,
      `SizeOfPartitionEntry is not 128 × 2^n up to ${GPT_MAX_ENTRY_SIZE}`,
      '128, 256, 512, …',
      size,
    );
  }
  if (h.numberOfPartitionEntries > GPT_MAX_ENTRIES) {
    throw corrupt(
      'GPT header',
      base + 80,
      'NumberOfPartitionEntries exceeds GPT_MAX_ENTRIES',
      `<= ${GPT_MAX_ENTRIES}`,
      h.numberOfPartitionEntries,
    );
  }
  const bytes = h.numberOfPartitionEntries * size;
  if (bytes > GPT_MAX_ENTRY_ARRAY_BYTES) {
    throw corrupt(
      'GPT header',
      base + 80,
      'partition entry array exceeds GPT_MAX_ENTRY_ARRAY_BYTES',
      `<= ${GPT_MAX_ENTRY_ARRAY_BYTES}`,
      bytes,
    );
  }
}

/** Byte length of the entry array the header describes (validated by decodeGptHeader). */
export const entryArrayBytes = (h: GptHeader): number =>
  h.numberOfPartitionEntries * h.sizeOfPartitionEntry;

/**
 * The AlternateLBA of a header whose checks failed, if its signature and that field are at
 * least readable: where to look for the backup when the disk was resized and the backup
 * is no longer at the last LBA. Never throws.
 */
export function rawAlternateLba(sector: Uint8Array): number | undefined {
  try {
    const b = new Bytes(sector, 'GPT header');
    return b.equals(0, GPT_SIGNATURE) ? b.u64le(32) : undefined;
  } catch {
    return undefined;
  }
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
