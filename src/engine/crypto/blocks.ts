// Small helpers shared by the block ciphers and disk modes: 16-byte block loops over
// little-endian 32-bit word views, XOR of buffers, and CBC built from single-block calls.
// Every cipher here works on little-endian words; the engine runs only on little-endian
// hosts (all browsers and Node platforms we ship for), which this module checks once.

import { unsupported } from '../errors.js';

export const BLOCK = 16;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Throws `unsupported` on a big-endian host (the word views below would be wrong). */
export function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw unsupported('disk encryption on a big-endian host');
}

/** A Uint32Array over the bytes when aligned, else over an aligned copy. */
export function words(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
  return new Uint32Array(b.slice().buffer);
}

/** Runs `fn` over every 16-byte block of src, writing dst (which may be src). */
export function eachBlock(
  src: Uint8Array,
  dst: Uint8Array,
  fn: (s: Uint32Array, d: Uint32Array, i: number) => void,
): void {
  const s = words(src);
  const d = dst === src ? s : words(dst);
  for (let i = 0; i < s.length; i += 4) fn(s, d, i);
  if (d.buffer !== dst.buffer || d.byteOffset !== dst.byteOffset) {
    dst.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
}

/** dst ^= src, word-wise (both aligned, same length, a multiple of 4). */
export function xorWords(dst: Uint32Array, src: Uint32Array): void {
  for (let i = 0; i < dst.length; i++) dst[i]! ^= src[i]!;
}

/** CBC encryption in place through single-block calls, for ciphers whose per-block call
 * is cheap (our own Twofish and Serpent). */
export function blockwiseCbc(
  encrypt: (src: Uint8Array, dst: Uint8Array) => void,
  data: Uint8Array,
  iv: Uint8Array,
): void {
  let prev = iv;
  for (let off = 0; off < data.length; off += BLOCK) {
    const block = data.subarray(off, off + BLOCK);
    for (let i = 0; i < BLOCK; i++) block[i]! ^= prev[i]!;
    encrypt(block, block);
    prev = block;
  }
}
