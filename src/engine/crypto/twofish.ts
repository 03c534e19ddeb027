// Twofish, the block cipher of LUKS volumes made with `--cipher twofish-…`.
// Reference: B. Schneier et al., "Twofish: A 128-Bit Block Cipher" (1998), section 4
// (the function h, the MDS and RS matrices, the key schedule) and section 4.3.5 (q0/q1
// built from the 4-bit permutations t0..t3). Byte order as in the paper: words are
// little-endian, as Linux crypto/twofish_common.c reads them.
//
// Performance note: g() is the usual four key-dependent 256-entry tables (the MDS matrix
// is linear, so each input byte's contribution is precomputed per key).

import type { BlockCipher } from './block-cipher.js';
import { blockwiseCbc, eachBlock } from './blocks.js';

const MDS_POLY = 0x169; // x^8 + x^6 + x^5 + x^3 + 1
const RS_POLY = 0x14d; // x^8 + x^6 + x^3 + x^2 + 1

const MDS = [
  [0x01, 0xef, 0x5b, 0x5b],
  [0x5b, 0xef, 0xef, 0x01],
  [0xef, 0x5b, 0x01, 0xef],
  [0xef, 0x01, 0xef, 0x5b],
];
const RS = [
  [0x01, 0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e],
  [0xa4, 0x56, 0x82, 0xf3, 0x1e, 0xc6, 0x68, 0xe5],
  [0x02, 0xa1, 0xfc, 0xc1, 0x47, 0xae, 0x3d, 0x19],
  [0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e, 0x03],
];

/** The 4-bit permutations t0..t3 that define q0 and q1 (paper, section 4.3.5). */
const Q_TABLES = [
  [
    [8, 1, 7, 13, 6, 15, 3, 2, 0, 11, 5, 9, 14, 12, 10, 4],
    [14, 12, 11, 8, 1, 2, 3, 5, 15, 4, 10, 6, 7, 0, 9, 13],
    [11, 10, 5, 14, 6, 13, 9, 0, 12, 8, 15, 3, 2, 4, 7, 1],
    [13, 7, 15, 4, 1, 2, 6, 14, 9, 11, 3, 0, 8, 5, 12, 10],
  ],
  [
    [2, 8, 11, 13, 15, 7, 6, 14, 3, 1, 9, 4, 0, 10, 12, 5],
    [1, 14, 2, 11, 4, 12, 3, 7, 6, 13, 10, 5, 15, 9, 0, 8],
    [4, 12, 7, 5, 1, 6, 9, 10, 0, 14, 13, 8, 2, 11, 3, 15],
    [11, 9, 5, 1, 12, 3, 13, 14, 6, 4, 7, 15, 2, 0, 8, 10],
  ],
];

const ror4 = (x: number) => ((x >>> 1) | (x << 3)) & 15;

function buildQ(t: number[][]): Uint8Array {
  const q = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    const a0 = x >>> 4;
    const b0 = x & 15;
    const a1 = a0 ^ b0;
    const b1 = (a0 ^ ror4(b0) ^ (8 * a0)) & 15;
    const a2 = t[0]![a1]!;
    const b2 = t[1]![b1]!;
    const a3 = a2 ^ b2;
    const b3 = (a2 ^ ror4(b2) ^ (8 * a2)) & 15;
    q[x] = (t[3]![b3]! << 4) | t[2]![a3]!;
  }
  return q;
}

const Q0 = buildQ(Q_TABLES[0]!);
const Q1 = buildQ(Q_TABLES[1]!);

function gfMul(a: number, b: number, poly: number): number {
  let r = 0;
  for (; b; b >>>= 1) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= poly;
  }
  return r;
}

const byte = (w: number, i: number) => (w >>> (8 * i)) & 0xff;
const rol = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
const ror = (x: number, n: number) => ((x >>> n) | (x << (32 - n))) >>> 0;

/** The byte permutation chain of h() for input byte position j, before the MDS. */
function hByte(j: number, x: number, l: readonly number[]): number {
  const k = l.length;
  let y = x;
  if (k === 4) y = ([Q1, Q0, Q0, Q1][j]![y]! ^ byte(l[3]!, j)) & 0xff;
  if (k >= 3) y = ([Q1, Q1, Q0, Q0][j]![y]! ^ byte(l[2]!, j)) & 0xff;
  const [first, second, third] = [
    [Q0, Q0, Q1],
    [Q1, Q0, Q0],
    [Q0, Q1, Q1],
    [Q1, Q1, Q0],
  ][j]!;
  y = first![y]! ^ byte(l[1]!, j);
  y = second![y]! ^ byte(l[0]!, j);
  return third![y]!;
}

/** MDS column j times byte y, as a little-endian word. */
function mdsColumn(j: number, y: number): number {
  let z = 0;
  for (let i = 0; i < 4; i++) z |= gfMul(MDS[i]![j]!, y, MDS_POLY) << (8 * i);
  return z >>> 0;
}

function h(x: number, l: readonly number[]): number {
  let z = 0;
  for (let j = 0; j < 4; j++) z ^= mdsColumn(j, hByte(j, byte(x, j), l));
  return z >>> 0;
}

/** The key schedule: 40 round subkeys and the four g() tables. */
function schedule(key: Uint8Array): { k: Uint32Array; g: Uint32Array[] } {
  const words = key.length / 4;
  const m: number[] = [];
  for (let i = 0; i < words; i++) {
    m.push(
      (key[4 * i]! | (key[4 * i + 1]! << 8) | (key[4 * i + 2]! << 16) | (key[4 * i + 3]! << 24)) >>>
        0,
    );
  }
  const kk = words / 2;
  const me = m.filter((_, i) => i % 2 === 0);
  const mo = m.filter((_, i) => i % 2 === 1);
  const s: number[] = [];
  for (let i = 0; i < kk; i++) {
    let w = 0;
    for (let r = 0; r < 4; r++) {
      let v = 0;
      for (let c = 0; c < 8; c++) v ^= gfMul(RS[r]![c]!, key[8 * i + c]!, RS_POLY);
      w |= v << (8 * r);
    }
    s.unshift(w >>> 0); // S lists the words in reverse order (paper, section 4.3)
  }
  const k = new Uint32Array(40);
  const rho = 0x01010101;
  for (let i = 0; i < 20; i++) {
    const a = h(Math.imul(2 * i, rho) >>> 0, me);
    const b = rol(h(Math.imul(2 * i + 1, rho) >>> 0, mo), 8);
    k[2 * i] = (a + b) >>> 0;
    k[2 * i + 1] = rol((a + 2 * b) >>> 0, 9);
  }
  const g = [0, 1, 2, 3].map((j) => {
    const t = new Uint32Array(256);
    for (let x = 0; x < 256; x++) t[x] = mdsColumn(j, hByte(j, x, s));
    return t;
  });
  return { k, g };
}

export function createTwofish(key: Uint8Array): BlockCipher {
  const { k, g } = schedule(key);
  const [g0, g1, g2, g3] = g as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  const gf = (x: number) =>
    g0[x & 0xff]! ^ g1[(x >>> 8) & 0xff]! ^ g2[(x >>> 16) & 0xff]! ^ g3[x >>> 24]!;

  function encryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    let a = src[i]! ^ k[0]!;
    let b = src[i + 1]! ^ k[1]!;
    let c = src[i + 2]! ^ k[2]!;
    let d = src[i + 3]! ^ k[3]!;
    for (let r = 0; r < 16; r++) {
      const t0 = gf(a);
      const t1 = gf(rol(b >>> 0, 8));
      c = ror((c ^ (t0 + t1 + k[2 * r + 8]!)) >>> 0, 1);
      d = (rol(d >>> 0, 1) ^ (t0 + 2 * t1 + k[2 * r + 9]!)) >>> 0;
      [a, b, c, d] = [c, d, a, b];
    }
    dst[i] = c ^ k[4]!;
    dst[i + 1] = d ^ k[5]!;
    dst[i + 2] = a ^ k[6]!;
    dst[i + 3] = b ^ k[7]!;
  }

  function decryptBlock(src: Uint32Array, dst: Uint32Array, i: number): void {
    let c = src[i]! ^ k[4]!;
    let d = src[i + 1]! ^ k[5]!;
    let a = src[i + 2]! ^ k[6]!;
    let b = src[i + 3]! ^ k[7]!;
    for (let r = 15; r >= 0; r--) {
      // The state is (c_r', d_r', a_r, b_r) after round r: undo its swap, then its F.
      [a, b, c, d] = [c, d, a, b];
      const t0 = gf(a);
      const t1 = gf(rol(b >>> 0, 8));
      c = (rol(c >>> 0, 1) ^ (t0 + t1 + k[2 * r + 8]!)) >>> 0;
      d = ror((d ^ (t0 + 2 * t1 + k[2 * r + 9]!)) >>> 0, 1);
    }
    dst[i] = a ^ k[0]!;
    dst[i + 1] = b ^ k[1]!;
    dst[i + 2] = c ^ k[2]!;
    dst[i + 3] = d ^ k[3]!;
  }

  return {
    name: 'twofish',
    keyBytes: key.length,
    encrypt: (src, dst) => eachBlock(src, dst, encryptBlock),
    decrypt: (src, dst) => eachBlock(src, dst, decryptBlock),
    encryptCbc(data, iv) {
      blockwiseCbc((s, d) => eachBlock(s, d, encryptBlock), data, iv);
    },
  };
}
