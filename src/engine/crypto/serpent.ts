// Serpent, the block cipher of LUKS volumes made with `--cipher serpent-…`.
// Reference: R. Anderson, E. Biham, L. Knudsen, "Serpent: A Proposal for the Advanced
// Encryption Standard", section 2 (bitslice description: S-boxes S0..S7, linear
// transformation, key schedule with phi = 0x9e3779b9). Byte order is the one Linux
// (crypto/serpent_generic.c) and NESSIE use: little-endian words, and a key shorter than
// 256 bits is padded with a single 1 bit (byte 0x01) and then zeros.
//
// The bitsliced S-boxes are evaluated from their algebraic normal form: each output bit
// is an XOR of products of input bits, so one pass over 32-bit words applies the S-box
// to all 32 bit columns at once. The ANF is derived from the S-box tables at load time
// (a Moebius transform), not written out by hand.

import type { BlockCipher } from './block-cipher.js';
import { blockwiseCbc, eachBlock } from './blocks.js';

const SBOX = [
  [3, 8, 15, 1, 10, 6, 5, 11, 14, 13, 4, 2, 7, 0, 9, 12],
  [15, 12, 2, 7, 9, 0, 5, 10, 1, 11, 14, 8, 6, 13, 3, 4],
  [8, 6, 7, 9, 3, 12, 10, 15, 13, 1, 14, 4, 0, 11, 5, 2],
  [0, 15, 11, 8, 12, 9, 6, 3, 13, 1, 2, 4, 10, 7, 5, 14],
  [1, 15, 8, 3, 12, 0, 11, 6, 2, 5, 4, 10, 9, 14, 7, 13],
  [15, 5, 2, 11, 4, 10, 9, 12, 0, 3, 14, 8, 13, 6, 7, 1],
  [7, 2, 12, 5, 8, 4, 6, 11, 14, 9, 1, 15, 13, 3, 10, 0],
  [1, 13, 15, 0, 14, 8, 2, 11, 7, 4, 12, 10, 9, 3, 5, 6],
];
const PHI = 0x9e3779b9;

/** For each of the 4 output bits: the monomials (subsets of input bits) whose XOR it is. */
type Anf = number[][];

function anf(table: readonly number[]): Anf {
  return [0, 1, 2, 3].map((bit) => {
    const f = table.map((v) => (v >>> bit) & 1);
    // Moebius transform: truth table → coefficients of the monomials.
    for (let step = 1; step < 16; step <<= 1) {
      for (let m = 0; m < 16; m++) if (m & step) f[m]! ^= f[m ^ step]!;
    }
    return f.flatMap((c, m) => (c ? [m] : []));
  });
}

function invert(table: readonly number[]): number[] {
  const inv: number[] = [];
  table.forEach((v, i) => (inv[v] = i));
  return inv;
}

const FORWARD = SBOX.map(anf);
const INVERSE = SBOX.map((s) => anf(invert(s)));

/** Applies a bitsliced S-box (in ANF) to words x[i..i+3] in place. */
function sbox(f: Anf, x: Uint32Array, i: number, mono: Int32Array): void {
  const x0 = x[i]!;
  const x1 = x[i + 1]!;
  const x2 = x[i + 2]!;
  const x3 = x[i + 3]!;
  mono[0] = -1;
  mono[1] = x0;
  mono[2] = x1;
  mono[3] = x0 & x1;
  for (let m = 0; m < 4; m++) {
    mono[4 + m] = mono[m]! & x2;
    mono[8 + m] = mono[m]! & x3;
    mono[12 + m] = mono[4 + m]! & x3;
  }
  for (let bit = 0; bit < 4; bit++) {
    const terms = f[bit]!;
    let v = 0;
    for (let t = 0; t < terms.length; t++) v ^= mono[terms[t]!]!;
    x[i + bit] = v;
  }
}

const rol = (x: number, n: number) => (x << n) | (x >>> (32 - n));
const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));

function linear(x: Uint32Array, i: number): void {
  let x0 = rol(x[i]!, 13);
  let x2 = rol(x[i + 2]!, 3);
  let x1 = x[i + 1]! ^ x0 ^ x2;
  let x3 = x[i + 3]! ^ x2 ^ (x0 << 3);
  x1 = rol(x1, 1);
  x3 = rol(x3, 7);
  x0 = x0 ^ x1 ^ x3;
  x2 = x2 ^ x3 ^ (x1 << 7);
  x[i] = rol(x0, 5);
  x[i + 1] = x1;
  x[i + 2] = rol(x2, 22);
  x[i + 3] = x3;
}

function inverseLinear(x: Uint32Array, i: number): void {
  let x0 = ror(x[i]!, 5);
  let x1 = x[i + 1]!;
  let x2 = ror(x[i + 2]!, 22);
  let x3 = x[i + 3]!;
  x2 = x2 ^ x3 ^ (x1 << 7);
  x0 = x0 ^ x1 ^ x3;
  x3 = ror(x3, 7);
  x1 = ror(x1, 1);
  x3 = x3 ^ x2 ^ (x0 << 3);
  x1 = x1 ^ x0 ^ x2;
  x[i] = ror(x0, 13);
  x[i + 1] = x1;
  x[i + 2] = ror(x2, 3);
  x[i + 3] = x3;
}

/** 33 round keys of 4 words each (key schedule, section 2.2 of the proposal). */
function schedule(key: Uint8Array): Uint32Array {
  const padded = new Uint8Array(32);
  padded.set(key);
  if (key.length < 32) padded[key.length] = 1;
  const w = new Uint32Array(140);
  w.set(new Uint32Array(padded.buffer));
  for (let i = 8; i < 140; i++) {
    w[i] = rol(w[i - 8]! ^ w[i - 5]! ^ w[i - 3]! ^ w[i - 1]! ^ PHI ^ (i - 8), 11);
  }
  const k = new Uint32Array(132);
  k.set(w.subarray(8));
  const mono = new Int32Array(16);
  for (let r = 0; r < 33; r++) sbox(FORWARD[(3 - r + 32) % 8]!, k, 4 * r, mono);
  return k;
}

export function createSerpent(key: Uint8Array): BlockCipher {
  const k = schedule(key);
  const mono = new Int32Array(16);
  const xorKey = (x: Uint32Array, i: number, r: number) => {
    for (let j = 0; j < 4; j++) x[i + j]! ^= k[4 * r + j]!;
  };

  function encryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    if (dst !== src) dst.set(src.subarray(i, i + 4), i);
    for (let r = 0; r < 32; r++) {
      xorKey(dst, i, r);
      sbox(FORWARD[r % 8]!, dst, i, mono);
      if (r < 31) linear(dst, i);
    }
    xorKey(dst, i, 32);
  }

  function decryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    if (dst !== src) dst.set(src.subarray(i, i + 4), i);
    xorKey(dst, i, 32);
    for (let r = 31; r >= 0; r--) {
      if (r < 31) inverseLinear(dst, i);
      sbox(INVERSE[r % 8]!, dst, i, mono);
      xorKey(dst, i, r);
    }
  }

  return {
    name: 'serpent',
    keyBytes: key.length,
    encrypt: (src, dst) => eachBlock(src, dst, encryptBlock),
    decrypt: (src, dst) => eachBlock(src, dst, decryptBlock),
    encryptCbc(data, iv) {
      blockwiseCbc((s, d) => eachBlock(s, d, encryptBlock), data, iv);
    },
  };
}
