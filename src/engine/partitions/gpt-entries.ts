// The GPT partition entry array: NumberOfPartitionEntries entries of SizeOfPartitionEntry
// bytes at PartitionEntryLBA, covered by PartitionEntryArrayCRC32. An entry whose type GUID
// is all zeros is unused; the others keep their index, which is the partition number - 1
// (ESXi disks use 1, 5, 6, 7, 8).
// Reference: UEFI Specification 2.10 §5.3.3 "GPT Partition Entry Array" (Table 5-6,
// attribute bits Table 5-7).

import { corrupt } from '../errors.js';
import type { BlockSource } from '../io/block-source.js';
import { Bytes } from '../io/bytes.js';
import { crc32 } from '../util/crc32.js';
import { GPT_ENTRY_MIN_SIZE, entryArrayBytes, type GptHeader } from './gpt-header.js';

export const GPT_ENTRY_NAME_OFFSET = 56;
/** PartitionName: 36 UTF-16LE code units. */
export const GPT_ENTRY_NAME_BYTES = 72;
export const GPT_TYPE_UNUSED = '00000000-0000-0000-0000-000000000000';
/** EFI System Partition: parted (and so libguestfs) calls its partitions bootable. */
export const GPT_TYPE_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface GptEntry {
  /** 0-based index in the array; the partition number is index + 1. */
  index: number;
  /** Uppercase GUIDs, as sgdisk, sfdisk and libguestfs print them. */
  typeGuid: string;
  uniqueGuid: string;
  startingLba: number;
  endingLba: number;
  attributes: bigint;
  name: string;
  /** Absolute byte offset of the entry, for errors. */
  offset: number;
}

/**
 * The partition name: UTF-16LE up to the first NUL. A code unit 0xFFFF also ends it: it is
 * a Unicode noncharacter that never occurs in text, and it is what an erased (0xFF-filled)
 * name field holds. Unpaired surrogates become U+FFFD.
 */
export function decodeGptName(raw: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const u = raw[i]! | (raw[i + 1]! << 8);
    if (u === 0 || u === 0xffff) break;
    units.push(u);
  }
  let s = '';
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    const next = units[i + 1];
    if (u >= 0xd800 && u <= 0xdbff && next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
      s += String.fromCharCode(u, next);
      i++;
    } else if (u >= 0xd800 && u <= 0xdfff) {
      s += '\ufffd';
    } else {
      s += String.fromCharCode(u);
    }
  }
  return s;
}

/** Decode the entry at `off` of `b`; undefined when it is unused. */
export function decodeGptEntry(b: Bytes, off: number, index: number): GptEntry | undefined {
  const typeGuid = b.guid(off).toUpperCase();
  if (typeGuid === GPT_TYPE_UNUSED) return undefined;
  const entry: GptEntry = {
    index,
    typeGuid,
    uniqueGuid: b.guid(off + 16).toUpperCase(),
    startingLba: b.u64le(off + 32, 'StartingLBA'),
    endingLba: b.u64le(off + 40, 'EndingLBA'),
    attributes: b.u64leBig(off + 48),
    name: decodeGptName(b.raw(off + GPT_ENTRY_NAME_OFFSET, GPT_ENTRY_NAME_BYTES)),
    offset: b.base + off,
  };
  if (entry.endingLba < entry.startingLba) {
    throw corrupt(
      'GPT entry',
      entry.offset + 40,
      'EndingLBA is before StartingLBA',
      `>= ${entry.startingLba}`,
      entry.endingLba,
    );
  }
  return entry;
}

/**
 * Read the entry array `h` names, check its CRC32 and decode the used entries.
 * Throws corrupt('GPT entry array') when it lies past the disk or its CRC does not match.
 */
export function readGptEntries(disk: BlockSource, h: GptHeader): GptEntry[] {
  const bytes = entryArrayBytes(h);
  const offset = h.partitionEntryLba * h.sectorSize;
  if (!Number.isSafeInteger(offset) || offset + bytes > disk.size) {
    throw corrupt(
      'GPT entry array',
      offset,
      'lies past the end of the disk',
      `<= ${disk.size}`,
      offset + bytes,
    );
  }
  const array = disk.readAt(offset, bytes);
  const actual = crc32(array);
  if (actual !== h.partitionEntryArrayCrc32) {
    throw corrupt(
      'GPT entry array',
      offset,
      'PartitionEntryArrayCRC32 mismatch',
      h.partitionEntryArrayCrc32,
      actual,
    );
  }
  return decodeGptEntryArray(array, h.sizeOfPartitionEntry, offset);
}

/**
 * Decode the used entries of an array already read (and checked) by the caller. Exported
 * for tests and forensic tools that look at an array whose CRC does not match.
 */
export function decodeGptEntryArray(
  array: Uint8Array,
  entrySize: number,
  offset: number,
): GptEntry[] {
  if (entrySize < GPT_ENTRY_MIN_SIZE) {
    throw corrupt(
      'GPT entry array',
      offset,
      'entry size below 128 bytes',
      `>= ${GPT_ENTRY_MIN_SIZE}`,
      entrySize,
    );
  }
  const b = new Bytes(array, 'GPT entry', offset);
  const entries: GptEntry[] = [];
  for (let i = 0; (i + 1) * entrySize <= array.length; i++) {
    const e = decodeGptEntry(b, i * entrySize, i);
    if (e) entries.push(e);
  }
  return entries;
}
