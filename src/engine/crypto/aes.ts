// AES-128/192/256, the block cipher of almost every LUKS volume (aes-xts-plain64 is
// cryptsetup's default), as table-driven whole-buffer ECB: each round is four table
// look-ups per column (SubBytes, ShiftRows and MixColumns folded into 32-bit T-tables),
// decryption uses the equivalent inverse cipher so it has the same shape.
// Reference: FIPS 197 (2001), section 5.1 (cipher), 5.2 (key expansion), 5.3.5 (the
// equivalent inverse cipher, with InvMixColumns applied to the middle round keys); the
// T-table formulation is the one of the Rijndael proposal, section 5.2.1.
//
// Word order: the state and the round keys are held as LITTLE-endian words over the
// data (column c = bytes 4c..4c+3, row r in bits 8r..8r+7), so a Uint32Array view of
// the caller's buffer is the state with no byte swapping at all; the tables are built
// in that same orientation. blocks.ts/sector-cipher.ts refuse big-endian hosts.
//
// Performance note: a round costs table look-ups, so the four 256-entry tables per
// direction are merged pairwise into two 65536-entry "pair" tables indexed by two state
// bytes at once (T01[b0 << 8 | b1] = T0[b0] ^ T1[b1]): half the loads and bounds checks
// per round, for 512 KiB of tables per direction, built on first use of that direction.
// The whole run is handed over in one call, with no per-block allocation or call.

import { unsupported } from '../errors.js';
import type { BlockCipher } from './block-cipher.js';
import { BLOCK, words } from './blocks.js';

// ---- Tables (built once at module load from the field arithmetic, FIPS 197 5.1.1) ----

/** Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 4.2.1). */
const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;

function gmul(a: number, b: number): number {
  let p = 0;
  for (; b; b >>>= 1, a = xtime(a)) if (b & 1) p ^= a;
  return p;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);

/** S-box = affine transform of the multiplicative inverse (FIPS 197 5.1.1). The inverse
 * is found by walking the generator 3's powers: exp[log[x]] = x. */
function buildSboxes(): void {
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++, x = x ^ xtime(x)) {
    exp[i] = x;
    log[x] = i;
  }
  for (let x = 0; x < 256; x++) {
    const inv = x === 0 ? 0 : exp[(255 - log[x]!) % 255]!;
    let s = inv;
    for (let r = 1; r < 5; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    s ^= 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
  }
}

/** Column words in our little-endian orientation: row r in bits 8r..8r+7. */
const col = (r0: number, r1: number, r2: number, r3: number) =>
  (r0 | (r1 << 8) | (r2 << 16) | (r3 << 24)) >>> 0;
const rotl8 = (w: number) => ((w << 8) | (w >>> 24)) >>> 0;

// TE[n][x]: the MixColumns column (2s, s, s, 3s) of s = S[x], rotated down n rows — the
// contribution of the state byte in row n. TD likewise with InvMixColumns (14, 9, 13, 11).
const TE = [0, 1, 2, 3].map(() => new Int32Array(256));
const TD = [0, 1, 2, 3].map(() => new Int32Array(256));

function buildTTables(): void {
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!;
    const i = INV_SBOX[x]!;
    let e = col(gmul(s, 2), s, s, gmul(s, 3));
    let d = col(gmul(i, 14), gmul(i, 9), gmul(i, 13), gmul(i, 11));
    for (let n = 0; n < 4; n++, e = rotl8(e), d = rotl8(d)) {
      TE[n]![x] = e;
      TD[n]![x] = d;
    }
  }
}

buildSboxes();
buildTTables();
type T4 = [Int32Array, Int32Array, Int32Array, Int32Array];
const [TD0, TD1, TD2, TD3] = TD as T4;

/** One direction's pair tables: rows 0+1 and rows 2+3 of a round, and the last round's
 * S-box bytes two at a time (low byte from the high index byte). */
interface PairTables {
  t01: Int32Array;
  t23: Int32Array;
  s01: Uint16Array;
}

function buildPairs(t: Int32Array[], sbox: Uint8Array): PairTables {
  const [t0, t1, t2, t3] = t as T4;
  const t01 = new Int32Array(65536);
  const t23 = new Int32Array(65536);
  const s01 = new Uint16Array(65536);
  for (let hi = 0; hi < 256; hi++) {
    for (let lo = 0; lo < 256; lo++) {
      const i = (hi << 8) | lo;
      t01[i] = t0[hi]! ^ t1[lo]!;
      t23[i] = t2[hi]! ^ t3[lo]!;
      s01[i] = sbox[hi]! | (sbox[lo]! << 8);
    }
  }
  return { t01, t23, s01 };
}

let encPairs: PairTables | undefined;
let decPairs: PairTables | undefined;

// ---- Key expansion (FIPS 197 5.2 and 5.3.5) ----

interface Schedule {
  rounds: number;
  /** Encryption round keys, 4 words per round, rounds + 1 of them. */
  enc: Int32Array;
  /** Equivalent-inverse-cipher round keys, in the order decryption uses them. */
  dec: Int32Array;
}

const subWord = (w: number) =>
  col(SBOX[w & 0xff]!, SBOX[(w >>> 8) & 0xff]!, SBOX[(w >>> 16) & 0xff]!, SBOX[w >>> 24]!);

/** InvMixColumns of one column: TD[n][S[b]] is InvMixColumns of b's row-n contribution. */
const invMixColumn = (w: number) =>
  TD0[SBOX[w & 0xff]!]! ^
  TD1[SBOX[(w >>> 8) & 0xff]!]! ^
  TD2[SBOX[(w >>> 16) & 0xff]!]! ^
  TD3[SBOX[w >>> 24]!]!;

function expandKey(key: Uint8Array): Schedule {
  const nk = key.length >>> 2;
  const rounds = nk + 6;
  const enc = new Int32Array(4 * (rounds + 1));
  for (let i = 0; i < nk; i++) {
    enc[i] = col(key[4 * i]!, key[4 * i + 1]!, key[4 * i + 2]!, key[4 * i + 3]!);
  }
  for (let i = nk, rcon = 1; i < enc.length; i++) {
    let t = enc[i - 1]!;
    if (i % nk === 0) {
      // RotWord moves row 1 to row 0: a right rotation of our little-endian word.
      t = subWord((t >>> 8) | (t << 24)) ^ rcon;
      rcon = xtime(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t);
    }
    enc[i] = enc[i - nk]! ^ t;
  }
  const dec = new Int32Array(enc.length);
  for (let r = 0; r <= rounds; r++) {
    for (let c = 0; c < 4; c++) {
      const w = enc[4 * (rounds - r) + c]!;
      dec[4 * r + c] = r === 0 || r === rounds ? w : invMixColumn(w);
    }
  }
  return { rounds, enc, dec };
}

// ---- The cipher over runs of blocks ----
//
// Index arithmetic, for the state words a (row r of column c in bits 8r..8r+7):
//   row 0 of a, row 1 of b  → pair index ((a & 0xff) << 8) | ((b >>> 8) & 0xff)
//   row 2 of a, row 3 of b  → pair index ((a >>> 8) & 0xff00) | (b >>> 24)
// ShiftRows makes output column c take row n from column c + n (c - n when inverse).

/** Encrypts blocks [from, to) (word indices, multiples of 4) of s into d (may be s). */
function encryptWords(k: Schedule, s: Uint32Array, d: Uint32Array, from: number, to: number) {
  const rk = k.enc;
  const last = 4 * k.rounds;
  const { t01, t23, s01 } = (encPairs ??= buildPairs(TE, SBOX));
  for (let i = from; i < to; i += 4) {
    let a0 = s[i]! ^ rk[0]!;
    let a1 = s[i + 1]! ^ rk[1]!;
    let a2 = s[i + 2]! ^ rk[2]!;
    let a3 = s[i + 3]! ^ rk[3]!;
    for (let r = 4; r < last; r += 4) {
      const b0 =
        t01[((a0 & 0xff) << 8) | ((a1 >>> 8) & 0xff)]! ^ t23[((a2 >>> 8) & 0xff00) | (a3 >>> 24)]!;
      const b1 =
        t01[((a1 & 0xff) << 8) | ((a2 >>> 8) & 0xff)]! ^ t23[((a3 >>> 8) & 0xff00) | (a0 >>> 24)]!;
      const b2 =
        t01[((a2 & 0xff) << 8) | ((a3 >>> 8) & 0xff)]! ^ t23[((a0 >>> 8) & 0xff00) | (a1 >>> 24)]!;
      const b3 =
        t01[((a3 & 0xff) << 8) | ((a0 >>> 8) & 0xff)]! ^ t23[((a1 >>> 8) & 0xff00) | (a2 >>> 24)]!;
      a0 = b0 ^ rk[r]!;
      a1 = b1 ^ rk[r + 1]!;
      a2 = b2 ^ rk[r + 2]!;
      a3 = b3 ^ rk[r + 3]!;
    }
    // The final round has no MixColumns: plain S-box bytes, shifted.
    d[i] =
      (s01[((a0 & 0xff) << 8) | ((a1 >>> 8) & 0xff)]! |
        (s01[((a2 >>> 8) & 0xff00) | (a3 >>> 24)]! << 16)) ^
      rk[last]!;
    d[i + 1] =
      (s01[((a1 & 0xff) << 8) | ((a2 >>> 8) & 0xff)]! |
        (s01[((a3 >>> 8) & 0xff00) | (a0 >>> 24)]! << 16)) ^
      rk[last + 1]!;
    d[i + 2] =
      (s01[((a2 & 0xff) << 8) | ((a3 >>> 8) & 0xff)]! |
        (s01[((a0 >>> 8) & 0xff00) | (a1 >>> 24)]! << 16)) ^
      rk[last + 2]!;
    d[i + 3] =
      (s01[((a3 & 0xff) << 8) | ((a0 >>> 8) & 0xff)]! |
        (s01[((a1 >>> 8) & 0xff00) | (a2 >>> 24)]! << 16)) ^
      rk[last + 3]!;
  }
}

/** The equivalent inverse cipher over blocks [from, to) of s into d (may be s). */
function decryptWords(k: Schedule, s: Uint32Array, d: Uint32Array, from: number, to: number) {
  const rk = k.dec;
  const last = 4 * k.rounds;
  const { t01, t23, s01 } = (decPairs ??= buildPairs(TD, INV_SBOX));
  for (let i = from; i < to; i += 4) {
    let a0 = s[i]! ^ rk[0]!;
    let a1 = s[i + 1]! ^ rk[1]!;
    let a2 = s[i + 2]! ^ rk[2]!;
    let a3 = s[i + 3]! ^ rk[3]!;
    for (let r = 4; r < last; r += 4) {
      const b0 =
        t01[((a0 & 0xff) << 8) | ((a3 >>> 8) & 0xff)]! ^ t23[((a2 >>> 8) & 0xff00) | (a1 >>> 24)]!;
      const b1 =
        t01[((a1 & 0xff) << 8) | ((a0 >>> 8) & 0xff)]! ^ t23[((a3 >>> 8) & 0xff00) | (a2 >>> 24)]!;
      const b2 =
        t01[((a2 & 0xff) << 8) | ((a1 >>> 8) & 0xff)]! ^ t23[((a0 >>> 8) & 0xff00) | (a3 >>> 24)]!;
      const b3 =
        t01[((a3 & 0xff) << 8) | ((a2 >>> 8) & 0xff)]! ^ t23[((a1 >>> 8) & 0xff00) | (a0 >>> 24)]!;
      a0 = b0 ^ rk[r]!;
      a1 = b1 ^ rk[r + 1]!;
      a2 = b2 ^ rk[r + 2]!;
      a3 = b3 ^ rk[r + 3]!;
    }
    d[i] =
      (s01[((a0 & 0xff) << 8) | ((a3 >>> 8) & 0xff)]! |
        (s01[((a2 >>> 8) & 0xff00) | (a1 >>> 24)]! << 16)) ^
      rk[last]!;
    d[i + 1] =
      (s01[((a1 & 0xff) << 8) | ((a0 >>> 8) & 0xff)]! |
        (s01[((a3 >>> 8) & 0xff00) | (a2 >>> 24)]! << 16)) ^
      rk[last + 1]!;
    d[i + 2] =
      (s01[((a2 & 0xff) << 8) | ((a1 >>> 8) & 0xff)]! |
        (s01[((a0 >>> 8) & 0xff00) | (a3 >>> 24)]! << 16)) ^
      rk[last + 2]!;
    d[i + 3] =
      (s01[((a3 & 0xff) << 8) | ((a2 >>> 8) & 0xff)]! |
        (s01[((a1 >>> 8) & 0xff00) | (a0 >>> 24)]! << 16)) ^
      rk[last + 3]!;
  }
}

type WordsFn = (k: Schedule, s: Uint32Array, d: Uint32Array, from: number, to: number) => void;

/** Runs `fn` over all of src into dst through word views; an unaligned buffer goes
 * through an aligned copy (words()), which is then copied back. */
function run(fn: WordsFn, k: Schedule, src: Uint8Array, dst: Uint8Array): void {
  if (src.length % BLOCK !== 0 || dst.length < src.length) {
    throw new RangeError(`internal: AES ECB on ${src.length} bytes into ${dst.length}`);
  }
  const s = words(src);
  const d = dst === src ? s : words(dst.subarray(0, src.length));
  fn(k, s, d, 0, s.length);
  if (d.buffer !== dst.buffer || d.byteOffset !== dst.byteOffset) {
    dst.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
}

/** CBC encryption in place (SP 800-38A 6.2): sequential by nature, so block by block. */
function encryptCbc(k: Schedule, data: Uint8Array, iv: Uint8Array): void {
  if (data.length % BLOCK !== 0 || iv.length !== BLOCK) {
    throw new RangeError(`internal: AES CBC on ${data.length} bytes, IV ${iv.length}`);
  }
  const d = words(data);
  const v = words(iv);
  let p0 = v[0]!;
  let p1 = v[1]!;
  let p2 = v[2]!;
  let p3 = v[3]!;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = d[i]! ^ p0;
    d[i + 1] = d[i + 1]! ^ p1;
    d[i + 2] = d[i + 2]! ^ p2;
    d[i + 3] = d[i + 3]! ^ p3;
    encryptWords(k, d, d, i, i + 4);
    [p0, p1, p2, p3] = [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!];
  }
  if (d.buffer !== data.buffer || d.byteOffset !== data.byteOffset) {
    data.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
}

/** AES keyed with a 16-, 24- or 32-byte key. */
export function createAes(key: Uint8Array): BlockCipher {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw unsupported(`AES key of ${key.length} bytes`, 'AES keys are 128, 192 or 256 bits');
  }
  const k = expandKey(key);
  return {
    name: 'aes',
    keyBytes: key.length,
    encrypt: (src, dst) => run(encryptWords, k, src, dst),
    decrypt: (src, dst) => run(decryptWords, k, src, dst),
    encryptCbc: (data, iv) => encryptCbc(k, data, iv),
  };
}
