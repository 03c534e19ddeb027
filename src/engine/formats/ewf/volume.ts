// The EWF sections that describe the media rather than hold it: "volume"/"disk" (and its
// copy "data" in later segments) with the chunk geometry and media size; "hash" (MD5) and
// "digest" (MD5 + SHA-1) with the acquisition's hashes; "header"/"header2" with the case
// metadata (zlib-compressed text, UTF-16 in header2).
// Reference: libewf "Expert Witness Compression Format (EWF)": volume section (EWF-E01, 1052
// bytes: media type, number of chunks, sectors per chunk, bytes per sector, number of
// sectors, …, set identifier, Adler-32 at 1048; EWF-S01/SMART, 94 bytes, Adler-32 at 90),
// §3.17 Digest section, §3.18 Hash section, §3.3 Header2 section.

import { inflateSync } from 'fflate';
import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes, formatUuid, toHex } from '../../io/bytes.js';
import { adler32 } from './adler32.js';
import { DESCRIPTOR_SIZE, type Section } from './segment.js';

export const VOLUME_STRUCTURE = 'EWF volume section';
export const HASH_STRUCTURE = 'EWF hash section';
export const DIGEST_STRUCTURE = 'EWF digest section';
export const HEADER_STRUCTURE = 'EWF header section';
const E01_VOLUME_SIZE = 1052;
const S01_VOLUME_SIZE = 94;
/**
 * A chunk is decompressed whole into memory. EnCase's largest choice is 32768 sectors of
 * 512 bytes (16 MiB); bigger chunks (4096-byte sectors at that count) are refused.
 */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** Header text is a few hundred bytes; EnCase caps each value at 3000 characters. */
const MAX_HEADER_TEXT = 1024 * 1024;

export interface EwfVolume {
  readonly chunkCount: number;
  readonly sectorsPerChunk: number;
  readonly bytesPerSector: number;
  readonly sectorCount: number;
  readonly mediaType: number | undefined;
  readonly setIdentifier: string | undefined;
  /** EWF-E01 layouts end every table with an Adler-32 of its entries; SMART's do not. */
  readonly layout: 'E01' | 'S01';
}

export function readVolume(file: BlockSource, s: Section): EwfVolume {
  const length = s.size - DESCRIPTOR_SIZE;
  const e01 = length >= E01_VOLUME_SIZE;
  if (!e01 && length < S01_VOLUME_SIZE) {
    throw corrupt(
      VOLUME_STRUCTURE,
      s.offset + 24,
      'section too small for volume data',
      `>= ${S01_VOLUME_SIZE + DESCRIPTOR_SIZE}`,
      s.size,
    );
  }
  const size = e01 ? E01_VOLUME_SIZE : S01_VOLUME_SIZE;
  const b = new Bytes(file.readAt(s.dataOffset, size), VOLUME_STRUCTURE, s.dataOffset);
  checkAdler(b, size - 4);
  const v: EwfVolume = {
    chunkCount: b.u32le(4),
    sectorsPerChunk: b.u32le(8),
    bytesPerSector: b.u32le(12),
    sectorCount: e01 ? b.u64le(16, 'number of sectors') : b.u32le(16),
    mediaType: e01 ? b.u8(0) : undefined,
    setIdentifier: e01 ? formatUuid(b.raw(64, 16)) : undefined,
    layout: e01 ? 'E01' : 'S01',
  };
  validateVolume(v, b);
  return v;
}

function validateVolume(v: EwfVolume, b: Bytes): void {
  const bps = v.bytesPerSector;
  if (bps < 512 || bps > 4096 || (bps & (bps - 1)) !== 0) {
    throw corrupt(
      VOLUME_STRUCTURE,
      b.base + 12,
      'bytes per sector not a power of two in 512..4096',
      '512..4096',
      bps,
    );
  }
  const spc = v.sectorsPerChunk;
  if (spc < 1 || (spc & (spc - 1)) !== 0) {
    throw corrupt(
      VOLUME_STRUCTURE,
      b.base + 8,
      'sectors per chunk not a power of two',
      'power of two',
      spc,
    );
  }
  if (spc * bps > MAX_CHUNK_BYTES) {
    throw unsupported(`EWF chunks of ${spc * bps} bytes`, 'larger than MAX_CHUNK_BYTES (16 MiB)');
  }
  if (!Number.isSafeInteger(v.sectorCount * bps)) {
    throw corrupt(
      VOLUME_STRUCTURE,
      b.base + 16,
      'media size exceeds 2^53',
      '< 2^53',
      v.sectorCount * bps,
    );
  }
  const needed = Math.ceil(v.sectorCount / spc);
  if (v.chunkCount < needed) {
    throw corrupt(
      VOLUME_STRUCTURE,
      b.base + 4,
      'fewer chunks than the media needs',
      `>= ${needed}`,
      v.chunkCount,
    );
  }
}

/** The Adler-32 at `at` covers every byte before it. */
function checkAdler(b: Bytes, at: number): void {
  const sum = adler32(b.raw(0, at));
  if (b.u32le(at) !== sum)
    throw corrupt(b.structure, b.base + at, 'checksum mismatch', sum, b.u32le(at));
}

/** MD5 of the media from a "hash" section. */
export function readHash(file: BlockSource, s: Section): string {
  const b = new Bytes(file.readAt(s.dataOffset, 36), HASH_STRUCTURE, s.dataOffset);
  checkAdler(b, 32);
  return toHex(b.raw(0, 16));
}

/** MD5 and SHA-1 of the media from a "digest" section (zeros: not computed). */
export function readDigest(file: BlockSource, s: Section): { md5?: string; sha1?: string } {
  const b = new Bytes(file.readAt(s.dataOffset, 80), DIGEST_STRUCTURE, s.dataOffset);
  checkAdler(b, 76);
  const md5 = b.raw(0, 16);
  const sha1 = b.raw(16, 20);
  return {
    md5: md5.some((x) => x !== 0) ? toHex(md5) : undefined,
    sha1: sha1.some((x) => x !== 0) ? toHex(sha1) : undefined,
  };
}

/**
 * The case metadata of a header or header2 section: the "main" category's identifiers
 * (line 3) and values (line 4), tab-separated. Damage here never stops the image opening:
 * undefined is returned and the disk stays readable.
 */
export function readHeaderValues(
  file: BlockSource,
  s: Section,
): Record<string, string> | undefined {
  const length = s.size - DESCRIPTOR_SIZE;
  if (length <= 6 || length > MAX_HEADER_TEXT) return undefined;
  let text: Uint8Array;
  try {
    const z = file.readAt(s.dataOffset, length);
    text = inflateSync(z.subarray(2), { out: new Uint8Array(MAX_HEADER_TEXT + 1) });
  } catch {
    return undefined;
  }
  if (text.length > MAX_HEADER_TEXT) return undefined;
  const lines = decodeHeaderText(text, s.type === 'header2').split(/\r?\n/);
  const keys = lines[2]?.split('\t') ?? [];
  const values = lines[3]?.split('\t') ?? [];
  const out: Record<string, string> = {};
  keys.forEach((k, i) => (out[k] = values[i] ?? ''));
  return out;
}

/** header2 is UTF-16 with a byte order mark; header is ASCII (a code page). */
function decodeHeaderText(text: Uint8Array, utf16: boolean): string {
  if (!utf16) return new TextDecoder('latin1').decode(text);
  const be = text[0] === 0xfe && text[1] === 0xff;
  const start = (text[0] === 0xff && text[1] === 0xfe) || be ? 2 : 0;
  return new TextDecoder(be ? 'utf-16be' : 'utf-16le').decode(text.subarray(start));
}
