// LRW (Liskov-Rivest-Wagner tweakable narrow-block mode), as dm-crypt's "lrw" uses it:
// C = E_K1(P xor T) xor T with T = K2 (x) I, where K2 is the last 16 bytes of the key, I is
// the 16-byte IV read as a big-endian 128-bit block index that counts up by one per block,
// and (x) is multiplication in GF(2^128) mod x^128 + x^7 + x^2 + x + 1 with big-endian bit
// order (the integer value's bit i is the coefficient of x^i).
// Reference: IEEE P1619/D4 (LRW-AES); Linux crypto/lrw.c and include/crypto/gf128mul.h
// ("bbe" convention).
//
// Consecutive tweaks differ by K2 (x) (I xor (I+1)), and I xor (I+1) is 2^(c+1) - 1 for c the
// number of trailing one bits of I: with those 128 products precomputed, each block's
// tweak costs one XOR instead of one field multiplication.

import type { BlockCipher } from './block-cipher.js';
import { xorWords } from './blocks.js';
import { alignedWords } from './sector-modes.js';

/** A field element as four big-endian 32-bit words, most significant first. */
type Gf = [number, number, number, number];

function beWords(b: Uint8Array, off = 0): Gf {
  const w = (i: number) =>
    ((b[off + i]! << 24) | (b[off + i + 1]! << 16) | (b[off + i + 2]! << 8) | b[off + i + 3]!) >>>
    0;
  return [w(0), w(4), w(8), w(12)];
}

function timesX(a: Gf): Gf {
  const carry = a[0] >>> 31;
  return [
    ((a[0] << 1) | (a[1] >>> 31)) >>> 0,
    ((a[1] << 1) | (a[2] >>> 31)) >>> 0,
    ((a[2] << 1) | (a[3] >>> 31)) >>> 0,
    ((a[3] << 1) ^ (carry * 0x87)) >>> 0,
  ];
}

/** a (x) b by Horner's rule over b's bits, most significant first. */
export function gfMulBbe(a: Gf, b: Gf): Gf {
  let r: Gf = [0, 0, 0, 0];
  for (let w = 0; w < 4; w++) {
    for (let bit = 31; bit >= 0; bit--) {
      r = timesX(r);
      if ((b[w]! >>> bit) & 1) r = [r[0] ^ a[0], r[1] ^ a[1], r[2] ^ a[2], r[3] ^ a[3]];
    }
  }
  return r.map((x) => x >>> 0) as Gf;
}

const bswap = (x: number) =>
  ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24)) >>> 0;

export class LrwKeys {
  /** increments[c] = K2 (x) (2^(c+1) - 1). */
  private readonly increments: Gf[] = [];
  private readonly k2: Gf;

  constructor(
    readonly data: BlockCipher,
    tweakKey: Uint8Array,
  ) {
    this.k2 = beWords(tweakKey);
    let ones: Gf = [0, 0, 0, 0];
    for (let c = 0; c < 128; c++) {
      // ones = 2^(c+1) - 1: set bit c (word 3 holds bits 0..31).
      ones = [...ones] as Gf;
      ones[3 - (c >>> 5)] = (ones[3 - (c >>> 5)]! | (1 << (c & 31))) >>> 0;
      this.increments.push(gfMulBbe(this.k2, ones));
    }
  }

  /** Tweak of every block of the run, laid out as little-endian words of its bytes. */
  tweaks(ivs: Uint8Array, sectorSize: number, total: number): Uint32Array {
    const t = new Uint32Array(total >>> 2);
    const blocks = sectorSize >>> 4;
    for (let s = 0, o = 0; s < ivs.length >>> 4; s++) {
      const index = beWords(ivs, 16 * s);
      let tw = gfMulBbe(this.k2, index);
      for (let j = 0; j < blocks; j++, o += 4) {
        for (let w = 0; w < 4; w++) t[o + w] = bswap(tw[w]!);
        const inc = this.increments[trailingOnes(index)]!;
        tw = [tw[0] ^ inc[0], tw[1] ^ inc[1], tw[2] ^ inc[2], tw[3] ^ inc[3]];
        increment(index);
      }
    }
    return t;
  }
}

function trailingOnes(x: Gf): number {
  let n = 0;
  for (let w = 3; w >= 0; w--) {
    const inv = ~x[w]! >>> 0;
    if (inv === 0) {
      n += 32;
      continue;
    }
    return n + (31 - Math.clz32(inv & -inv));
  }
  return 127; // all ones: the counter wraps; the last table entry is the right increment
}

function increment(x: Gf): void {
  for (let w = 3; w >= 0; w--) {
    x[w] = (x[w]! + 1) >>> 0;
    if (x[w] !== 0) return;
  }
}

export function lrwDecrypt(
  k: LrwKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  const t = k.tweaks(ivs, sectorSize, data.length);
  const d = alignedWords(data);
  xorWords(d, t);
  k.data.decrypt(data, data);
  xorWords(d, t);
}

export function lrwEncrypt(
  k: LrwKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  const t = k.tweaks(ivs, sectorSize, data.length);
  const d = alignedWords(data);
  xorWords(d, t);
  k.data.encrypt(data, data);
  xorWords(d, t);
}
