// The exact byte length of the Zstandard frame at the start of a buffer.
// Reference: RFC 8878 §3.1 (Frames), §3.1.1.1 (Frame_Header), §3.1.1.2 (Blocks),
// §3.1.1.3 (Content_Checksum).
//
// Why: qcow2 (and btrfs) store compressed data padded to a 512-byte sector. A decoder that
// reads to the end of its input (fzstd) takes the padding for the start of another frame
// and fails with "invalid zstd data". Walking the frame and block headers gives the exact
// length without decompressing anything.

import { corrupt } from '../errors.js';
import { Bytes } from '../io/bytes.js';

const ZSTD_MAGIC = 0xfd2fb528;
/** RFC 8878 §3.1.1.2.4: Block_Maximum_Size is at most 128 KiB. */
const MAX_BLOCK_SIZE = 128 * 1024;
const BLOCK_TYPE_RESERVED = 3;
const BLOCK_TYPE_RLE = 1;

export interface ZstdFrameInfo {
  /** Bytes the frame takes, from its magic through its checksum. */
  length: number;
  /** Frame_Content_Size, when the header carries it. */
  contentSize: number | undefined;
  /** The window the decoder must hold (RFC 8878 §3.1.1.1.2), content size for single-segment frames. */
  windowSize: number;
}

/** Parse the Zstandard frame that starts at `off`: header fields, then walk its blocks. */
function parseFrame(b: Bytes, off: number): ZstdFrameInfo {
  const magic = b.u32le(off);
  if (magic !== ZSTD_MAGIC) {
    throw corrupt(b.structure, b.base + off, 'bad zstd frame magic', ZSTD_MAGIC, magic);
  }
  const header = frameHeader(b, off + 4);
  let pos = off + 4 + header.length;
  for (;;) {
    const block = b.u8(pos) | (b.u8(pos + 1) << 8) | (b.u8(pos + 2) << 16);
    const last = (block & 1) !== 0;
    const type = (block >> 1) & 3;
    const size = block >>> 3;
    if (type === BLOCK_TYPE_RESERVED)
      throw corrupt(b.structure, b.base + pos, 'reserved zstd block type');
    if (size > MAX_BLOCK_SIZE) {
      throw corrupt(
        b.structure,
        b.base + pos,
        'zstd block larger than 128 KiB',
        MAX_BLOCK_SIZE,
        size,
      );
    }
    pos += 3 + (type === BLOCK_TYPE_RLE ? 1 : size);
    if (pos > b.length) throw corrupt(b.structure, b.base + pos, 'zstd block runs past the data');
    if (last) break;
  }
  if (header.checksum) pos += 4;
  if (pos > b.length) throw corrupt(b.structure, b.base + pos, 'zstd checksum runs past the data');
  return { length: pos - off, contentSize: header.contentSize, windowSize: header.windowSize };
}

interface FrameHeader {
  length: number;
  checksum: boolean;
  contentSize: number | undefined;
  windowSize: number;
}

/** Frame_Header_Descriptor, Window_Descriptor, Dictionary_ID, Frame_Content_Size (§3.1.1.1). */
function frameHeader(b: Bytes, off: number): FrameHeader {
  const descriptor = b.u8(off);
  if (descriptor & 0x08)
    throw corrupt(b.structure, b.base + off, 'zstd frame header reserved bit set');
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  let pos = off + 1;
  let windowSize = 0;
  if (!singleSegment) {
    const wd = b.u8(pos++);
    const windowBase = 2 ** (10 + (wd >> 3));
    windowSize = windowBase + (windowBase / 8) * (wd & 7);
  }
  pos += dictIdBytes;
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    contentSize = readLe(b, pos, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    if (singleSegment) windowSize = contentSize;
  }
  return {
    length: pos + fcsBytes - off,
    checksum: (descriptor & 0x04) !== 0,
    contentSize,
    windowSize,
  };
}

/** Little-endian unsigned of 1, 2, 4 or 8 bytes; 8-byte values past 2^53 become Infinity (too large anyway). */
function readLe(b: Bytes, off: number, n: number): number {
  if (n === 1) return b.u8(off);
  if (n === 2) return b.u16le(off);
  if (n === 4) return b.u32le(off);
  const v = b.u64leBig(off);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

/**
 * The one Zstandard frame at the start of `data`. Only one: what follows is sector padding
 * or, in qcow2, the next compressed cluster, which may share the last sector and starts with
 * the same magic. Throws `corrupt` naming `structure` and `base` if the frame is malformed
 * or truncated.
 */
export function zstdFrameInfo(data: Uint8Array, structure: string, base = 0): ZstdFrameInfo {
  return parseFrame(new Bytes(data, structure, base), 0);
}
