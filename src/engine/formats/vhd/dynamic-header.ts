// The VHD dynamic disk header ("cxsparse"): where the block allocation table is, how many
// entries it has, the block size, and for differencing disks the parent's identity and the
// parent locators (platform-specific paths to the parent file).
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0,
// "Dynamic Disk Header Format" and its "Parent Locator Entry" table.

import { corrupt } from '../../errors.js';
import { Bytes, checkedAlloc, formatUuid } from '../../io/bytes.js';
import type { BlockSource } from '../../io/block-source.js';
import { hex32, vhdChecksum } from './footer.js';

export const DYNAMIC_HEADER_STRUCTURE = 'VHD dynamic header';
export const LOCATOR_STRUCTURE = 'VHD parent locator';
export const DYNAMIC_HEADER_SIZE = 1024;
const DYNAMIC_COOKIE = 'cxsparse';
const LOCATOR_COUNT = 8;
const LOCATOR_TABLE = 576;
const LOCATOR_ENTRY_SIZE = 24;

/**
 * Parent locator data is a path: Windows allows 32767 UTF-16 units (64 KiB); anything
 * longer is damage, and it is read whole.
 */
export const MAX_LOCATOR_BYTES = 64 * 1024;

/** Platform codes of parent locators ("Wi2r"/"Wi2k" are deprecated, ASCII). */
export const PLATFORM_NAMES: Record<number, string> = {
  0x57693272: 'Wi2r',
  0x5769326b: 'Wi2k',
  0x57327275: 'W2ru',
  0x57326b75: 'W2ku',
  0x4d616320: 'Mac ',
  0x4d616358: 'MacX',
};

export interface ParentLocator {
  /** Platform code as text: "W2ru", "W2ku", "MacX", … */
  readonly platform: string;
  /** The decoded path, or undefined for platforms whose data is not a path ("Mac " aliases). */
  readonly path: string | undefined;
  /** Offset of the locator entry in the file (for errors). */
  readonly entryOffset: number;
}

export interface VhdDynamicHeader {
  readonly offset: number;
  readonly tableOffset: number;
  readonly maxTableEntries: number;
  readonly blockSize: number;
  readonly parentUniqueId: string;
  readonly parentTimeStamp: number;
  readonly parentUnicodeName: string;
  readonly locators: readonly ParentLocator[];
}

/** Read, check and decode the header at `offset` (the footer's data offset). */
export function readDynamicHeader(file: BlockSource, offset: number): VhdDynamicHeader {
  const buf = file.readAt(offset, DYNAMIC_HEADER_SIZE);
  const b = new Bytes(buf, DYNAMIC_HEADER_STRUCTURE, offset);
  if (!b.equals(0, DYNAMIC_COOKIE)) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      offset,
      'bad cookie',
      DYNAMIC_COOKIE,
      JSON.stringify(b.ascii(0, 8)),
    );
  }
  const sum = vhdChecksum(buf, 36);
  if (b.u32be(36) !== sum) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      offset + 36,
      'checksum mismatch',
      hex32(sum),
      hex32(b.u32be(36)),
    );
  }
  const version = b.u32be(24);
  if (version >>> 16 !== 1) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      offset + 24,
      'unknown header version',
      '1.x',
      hex32(version),
    );
  }
  const blockSize = b.u32be(32);
  // QEMU refuses other block sizes too: block and bitmap arithmetic assume a power of two.
  if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      offset + 32,
      'block size is not a power of two >= 512',
      'power of two',
      blockSize,
    );
  }
  return {
    offset,
    tableOffset: b.u64be(16, 'table offset'),
    maxTableEntries: b.u32be(28),
    blockSize,
    parentUniqueId: formatUuid(b.raw(40, 16)),
    parentTimeStamp: b.u32be(56),
    parentUnicodeName: utf16be(b.raw(64, 512)),
    locators: readLocators(file, b),
  };
}

/** UTF-16 big-endian text, cut at the first NUL (the parent unicode name). */
function utf16be(raw: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const c = (raw[i]! << 8) | raw[i + 1]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function readLocators(file: BlockSource, b: Bytes): ParentLocator[] {
  const out: ParentLocator[] = [];
  for (let i = 0; i < LOCATOR_COUNT; i++) {
    const at = LOCATOR_TABLE + i * LOCATOR_ENTRY_SIZE;
    const code = b.u32be(at);
    if (code === 0) continue;
    const entryOffset = b.base + at;
    const platform = PLATFORM_NAMES[code];
    if (platform === undefined) continue; // unknown platforms are skipped, as the spec allows
    const length = b.u32be(at + 8);
    const dataOffset = b.u64be(at + 16, 'platform data offset');
    checkedAlloc(
      LOCATOR_STRUCTURE,
      entryOffset + 8,
      length,
      MAX_LOCATOR_BYTES,
      'MAX_LOCATOR_BYTES',
    );
    if (dataOffset + length > file.size) {
      throw corrupt(
        LOCATOR_STRUCTURE,
        entryOffset + 16,
        'platform data outside the file',
        `<= ${file.size}`,
        dataOffset + length,
      );
    }
    const data = new Bytes(file.readAt(dataOffset, length), LOCATOR_STRUCTURE, dataOffset);
    out.push({ platform, path: decodeLocatorPath(platform, data), entryOffset });
  }
  return out;
}

/** W2ru/W2ku hold UTF-16LE paths, Wi2r/Wi2k ASCII ones, MacX a UTF-8 file URL. */
function decodeLocatorPath(platform: string, data: Bytes): string | undefined {
  switch (platform) {
    case 'W2ru':
    case 'W2ku':
      return data.utf16le(0, data.length);
    case 'Wi2r':
    case 'Wi2k':
      return data.ascii(0, data.length);
    case 'MacX':
      return fileUrlPath(data.utf8(0, data.length));
    default:
      return undefined; // "Mac ": a Mac OS alias record, not a path
  }
}

/** "file://localhost/Users/x/base.vhd" → "/Users/x/base.vhd" (percent escapes decoded). */
function fileUrlPath(url: string): string {
  const m = /^file:\/\/[^/]*(\/.*)$/.exec(url);
  const p = m ? m[1]! : url;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
