// One bounds-checked reader for on-disk structures. Every field read goes through it so a
// truncated or hostile structure becomes a `corrupt` error naming the structure and the
// absolute byte offset, never an out-of-range read or a silently rounded 64-bit value.

import { corrupt } from '../errors.js';

export class Bytes {
  private readonly dv: DataView;

  /**
   * @param buf the structure's bytes
   * @param structure its name as the spec calls it ("qcow2 header", "GPT header")
   * @param base the absolute offset of buf[0] in the source, used only for error messages
   */
  constructor(
    readonly buf: Uint8Array,
    readonly structure: string,
    readonly base = 0,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get length(): number {
    return this.buf.length;
  }

  private need(off: number, len: number): void {
    if (!Number.isInteger(off) || off < 0 || off + len > this.buf.length) {
      throw corrupt(
        this.structure,
        this.base + off,
        `field of ${len} bytes lies outside the ${this.buf.length}-byte structure`,
      );
    }
  }

  u8(off: number): number {
    this.need(off, 1);
    return this.dv.getUint8(off);
  }
  u16le(off: number): number {
    this.need(off, 2);
    return this.dv.getUint16(off, true);
  }
  u16be(off: number): number {
    this.need(off, 2);
    return this.dv.getUint16(off, false);
  }
  u32le(off: number): number {
    this.need(off, 4);
    return this.dv.getUint32(off, true);
  }
  u32be(off: number): number {
    this.need(off, 4);
    return this.dv.getUint32(off, false);
  }
  i32le(off: number): number {
    this.need(off, 4);
    return this.dv.getInt32(off, true);
  }
  u64leBig(off: number): bigint {
    this.need(off, 8);
    return this.dv.getBigUint64(off, true);
  }
  u64beBig(off: number): bigint {
    this.need(off, 8);
    return this.dv.getBigUint64(off, false);
  }
  /** A 64-bit little-endian field that must fit in a safe integer (sizes, offsets). */
  u64le(off: number, field = 'field'): number {
    return this.safe(this.u64leBig(off), off, field);
  }
  u64be(off: number, field = 'field'): number {
    return this.safe(this.u64beBig(off), off, field);
  }
  private safe(v: bigint, off: number, field: string): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw corrupt(this.structure, this.base + off, `${field} exceeds 2^53`, '< 2^53', v);
    }
    return Number(v);
  }

  sub(off: number, len: number, structure = this.structure): Bytes {
    this.need(off, len);
    return new Bytes(this.buf.subarray(off, off + len), structure, this.base + off);
  }
  raw(off: number, len: number): Uint8Array {
    this.need(off, len);
    return this.buf.subarray(off, off + len);
  }
  /** ASCII/Latin-1 text, cut at the first NUL. */
  ascii(off: number, len: number): string {
    const b = this.raw(off, len);
    let end = b.indexOf(0);
    if (end < 0) end = b.length;
    return latin1(b.subarray(0, end));
  }
  /** UTF-8 text, cut at the first NUL. */
  utf8(off: number, len: number): string {
    const b = this.raw(off, len);
    let end = b.indexOf(0);
    if (end < 0) end = b.length;
    return new TextDecoder('utf-8').decode(b.subarray(0, end));
  }
  /** UTF-16LE text of `len` bytes, cut at the first NUL code unit. */
  utf16le(off: number, len: number): string {
    const b = this.raw(off, len & ~1);
    let s = '';
    for (let i = 0; i + 1 < b.length; i += 2) {
      const c = b[i]! | (b[i + 1]! << 8);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
  /** A mixed-endian GUID (GPT, LDM, VHDX) as lowercase text. */
  guid(off: number): string {
    const b = this.raw(off, 16);
    return formatGuid(b);
  }
  equals(off: number, magic: Uint8Array | string): boolean {
    const m = typeof magic === 'string' ? asciiBytes(magic) : magic;
    if (off < 0 || off + m.length > this.buf.length) return false;
    for (let i = 0; i < m.length; i++) if (this.buf[off + i] !== m[i]) return false;
    return true;
  }
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const hex = (b: Uint8Array, idx: number[]): string =>
  idx.map((i) => b[i]!.toString(16).padStart(2, '0')).join('');

/** GUID bytes in Microsoft's mixed-endian layout → "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
export function formatGuid(b: Uint8Array): string {
  return `${hex(b, [3, 2, 1, 0])}-${hex(b, [5, 4])}-${hex(b, [7, 6])}-${hex(b, [8, 9])}-${hex(b, [10, 11, 12, 13, 14, 15])}`;
}

/** 16 bytes in plain big-endian order → UUID text (ext4, xfs, btrfs, LUKS). */
export function formatUuid(b: Uint8Array): string {
  const h = hex(b, [...Array(16).keys()]);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function toHex(b: Uint8Array): string {
  return hex(b, [...Array(b.length).keys()]);
}

/** Read a whole structure from a source, refusing sizes above a named sanity limit. */
export function checkedAlloc(
  structure: string,
  offset: number,
  size: number,
  limit: number,
  limitName: string,
): number {
  if (!Number.isSafeInteger(size) || size < 0 || size > limit) {
    throw corrupt(structure, offset, `size exceeds ${limitName}`, `<= ${limit}`, size);
  }
  return size;
}
