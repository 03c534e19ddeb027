// Serpent, the block cipher of LUKS volumes made with `--cipher serpent-…`.
// Reference: R. Anderson, E. Biham, L. Knudsen, "Serpent: A Proposal for the Advanced
// Encryption Standard", section 2 (bitslice description: S-boxes S0..S7, linear
// transformation, key schedule with phi = 0x9e3779b9). Byte order is the one Linux
// (crypto/serpent_generic.c) and NESSIE use: little-endian words, and a key shorter than
// 256 bits is padded with a single 1 bit (byte 0x01) and then zeros.
//
// The bitsliced S-boxes (serpent-sboxes.ts) apply each 4-bit S-box to all 32 bit columns
// of the four state words at once.

import type { BlockCipher } from './block-cipher.js';
import { blockwiseCbc, eachBlock } from './blocks.js';
import { FORWARD, INVERSE } from './serpent-sboxes.js';

const PHI = 0x9e3779b9;

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
  for (let r = 0; r < 33; r++) FORWARD[(3 - r + 32) % 8]!(k, 4 * r);
  return k;
}

export function createSerpent(key: Uint8Array): BlockCipher {
  const k = schedule(key);
  const xorKey = (x: Uint32Array, i: number, r: number) => {
    for (let j = 0; j < 4; j++) x[i + j]! ^= k[4 * r + j]!;
  };

  function encryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    if (dst !== src) dst.set(src.subarray(i, i + 4), i);
    for (let r = 0; r < 32; r++) {
      xorKey(dst, i, r);
      FORWARD[r % 8]!(dst, i);
      if (r < 31) linear(dst, i);
    }
    xorKey(dst, i, 32);
  }

  function decryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    if (dst !== src) dst.set(src.subarray(i, i + 4), i);
    xorKey(dst, i, 32);
    for (let r = 31; r >= 0; r--) {
      if (r < 31) inverseLinear(dst, i);
      INVERSE[r % 8]!(dst, i);
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
