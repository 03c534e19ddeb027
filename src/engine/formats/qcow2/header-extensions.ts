// qcow2 header extensions: the typed records between the header and the end of the first
// cluster (or the backing file name, which QEMU stores after them).
// Reference: QEMU docs/interop/qcow2.txt, "Header extensions", "String header extensions",
// "Feature name table", "Full disk encryption header pointer".

import { corrupt } from '../../errors.js';
import { Bytes } from '../../io/bytes.js';
import { V2_HEADER_LENGTH, type Qcow2HeaderFields } from './header.js';

export const EXTENSION_STRUCTURE = 'qcow2 header extension';

export const EXT_END = 0x00000000;
export const EXT_BACKING_FORMAT = 0xe2792aca;
export const EXT_FEATURE_TABLE = 0x6803f857;
export const EXT_BITMAPS = 0x23852875;
export const EXT_CRYPTO_HEADER = 0x0537be77;
export const EXT_DATA_FILE = 0x44415441;

/** QEMU keeps the backing format in a 16-byte buffer; longer names are refused there too. */
export const MAX_BACKING_FORMAT_LENGTH = 15;
/** A file name; PATH_MAX on Linux. Bounds the string we decode from the extension. */
export const MAX_DATA_FILE_NAME_LENGTH = 4096;
/** Feature name table entries: type (1), bit (1), name (46). */
const FEATURE_ENTRY_SIZE = 48;

export interface Qcow2Extensions {
  backingFormat?: string;
  dataFile?: string;
  /** "type:bit" → name, e.g. "0:4" → "extended L2 entries". */
  featureNames: Map<string, string>;
  cryptoHeader?: { offset: number; length: number };
  hasBitmaps: boolean;
  /** Extension types this reader does not know; the spec says they can be ignored. */
  unknown: number[];
}

/** Where the extension area ends: the backing file name, if any, else the first cluster. */
export function extensionAreaEnd(f: Qcow2HeaderFields): number {
  const clusterSize = 2 ** f.cluster_bits;
  return f.backing_file_offset > 0 ? Math.min(f.backing_file_offset, clusterSize) : clusterSize;
}

/** Walk the extensions of a header whose layout is already checked. `head` starts at offset 0. */
export function parseHeaderExtensions(head: Uint8Array, f: Qcow2HeaderFields): Qcow2Extensions {
  const start = f.version === 2 ? V2_HEADER_LENGTH : f.header_length;
  const end = Math.min(extensionAreaEnd(f), head.length);
  const out: Qcow2Extensions = { featureNames: new Map(), hasBitmaps: false, unknown: [] };
  const b = new Bytes(head.subarray(0, end), EXTENSION_STRUCTURE, 0);
  let off = start;
  while (off + 8 <= end) {
    const type = b.u32be(off);
    if (type === EXT_END) break;
    const length = b.u32be(off + 4);
    if (length > end - off - 8) {
      throw corrupt(
        EXTENSION_STRUCTURE,
        off,
        'extension runs past the header area',
        `<= ${end - off - 8}`,
        length,
      );
    }
    readExtension(out, type, b.sub(off + 8, length), off);
    off += 8 + Math.ceil(length / 8) * 8;
  }
  return out;
}

function readExtension(out: Qcow2Extensions, type: number, data: Bytes, off: number): void {
  switch (type) {
    case EXT_BACKING_FORMAT:
      if (data.length > MAX_BACKING_FORMAT_LENGTH) {
        throw corrupt(
          EXTENSION_STRUCTURE,
          off,
          'backing format name too long',
          `<= ${MAX_BACKING_FORMAT_LENGTH}`,
          data.length,
        );
      }
      out.backingFormat = data.ascii(0, data.length);
      break;
    case EXT_DATA_FILE:
      if (data.length > MAX_DATA_FILE_NAME_LENGTH) {
        throw corrupt(
          EXTENSION_STRUCTURE,
          off,
          'data file name too long',
          `<= ${MAX_DATA_FILE_NAME_LENGTH}`,
          data.length,
        );
      }
      out.dataFile = data.utf8(0, data.length);
      break;
    case EXT_FEATURE_TABLE:
      for (let i = 0; i + FEATURE_ENTRY_SIZE <= data.length; i += FEATURE_ENTRY_SIZE) {
        out.featureNames.set(
          `${data.u8(i)}:${data.u8(i + 1)}`,
          data.ascii(i + 2, FEATURE_ENTRY_SIZE - 2),
        );
      }
      break;
    case EXT_CRYPTO_HEADER:
      out.cryptoHeader = { offset: data.u64be(0, 'offset'), length: data.u64be(8, 'length') };
      break;
    case EXT_BITMAPS:
      out.hasBitmaps = true;
      break;
    default:
      out.unknown.push(type);
  }
}

/** The backing file name stored at backing_file_offset (not NUL-terminated). */
export function readBackingFileName(head: Uint8Array, f: Qcow2HeaderFields): string | undefined {
  if (f.backing_file_offset === 0) return undefined;
  const b = new Bytes(head, 'qcow2 backing file name', 0);
  return new TextDecoder('utf-8').decode(b.raw(f.backing_file_offset, f.backing_file_size));
}
