// Sector modes of dm-crypt over a whole run of sectors at once: XTS, CBC and plain ECB.
// Each takes the run's bytes (aligned, `count` sectors of `sectorSize`) and one 16-byte
// IV per sector (from the IV generator, see volumes/luks/sector-cipher.ts), and works in
// place. The block cipher is called once per run, never per block.
// Reference: IEEE Std 1619-2007 (XTS-AES: tweak = E_K2(IV), multiplied by alpha per
// block, little-endian GF(2^128) with x^128 + x^7 + x^2 + x + 1); NIST SP 800-38A (CBC).

import type { BlockCipher } from './block-cipher.js';
import { BLOCK, xorWords } from './blocks.js';

/** Word view of a buffer the caller allocated aligned (an internal invariant). */
export function alignedWords(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 !== 0) throw new Error('internal: unaligned sector buffer');
  return new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
}

/** The XTS tweak of every block of the run: E_K2(IV of its sector) times alpha^j. */
function xtsTweaks(
  k2: BlockCipher,
  ivs: Uint8Array,
  sectorSize: number,
  total: number,
): Uint32Array {
  const first = new Uint8Array(ivs.length);
  k2.encrypt(ivs, first);
  const t0 = alignedWords(first);
  const t = new Uint32Array(total >>> 2);
  const wordsPerSector = sectorSize >>> 2;
  for (let s = 0, o = 0; s < t0.length >>> 2; s++) {
    let w0 = t0[4 * s]!;
    let w1 = t0[4 * s + 1]!;
    let w2 = t0[4 * s + 2]!;
    let w3 = t0[4 * s + 3]!;
    for (const end = o + wordsPerSector; o < end; o += 4) {
      t[o] = w0;
      t[o + 1] = w1;
      t[o + 2] = w2;
      t[o + 3] = w3;
      // Multiply by alpha: a 128-bit little-endian shift left, reduced by 0x87.
      const carry = w3 >>> 31;
      w3 = (w3 << 1) | (w2 >>> 31);
      w2 = (w2 << 1) | (w1 >>> 31);
      w1 = (w1 << 1) | (w0 >>> 31);
      w0 = (w0 << 1) ^ (carry * 0x87);
    }
  }
  return t;
}

export interface XtsKeys {
  data: BlockCipher;
  tweak: BlockCipher;
}

export function xtsDecrypt(
  k: XtsKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  const t = xtsTweaks(k.tweak, ivs, sectorSize, data.length);
  const d = alignedWords(data);
  xorWords(d, t);
  k.data.decrypt(data, data);
  xorWords(d, t);
}

export function xtsEncrypt(
  k: XtsKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  const t = xtsTweaks(k.tweak, ivs, sectorSize, data.length);
  const d = alignedWords(data);
  xorWords(d, t);
  k.data.encrypt(data, data);
  xorWords(d, t);
}

/** CBC decryption of a run: one ECB call, then each block XORed with the ciphertext
 * block before it (or the sector's IV for its first block). */
export function cbcDecrypt(
  cipher: BlockCipher,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  const plain = new Uint8Array(data.length);
  cipher.decrypt(data, plain);
  const p = alignedWords(plain);
  const c = alignedWords(data);
  const iv = alignedWords(ivs);
  const wordsPerSector = sectorSize >>> 2;
  for (let s = 0; s < iv.length >>> 2; s++) {
    const base = s * wordsPerSector;
    for (let j = 0; j < 4; j++) p[base + j]! ^= iv[4 * s + j]!;
    for (let o = base + 4; o < base + wordsPerSector; o++) p[o]! ^= c[o - 4]!;
  }
  data.set(plain);
}

export function cbcEncrypt(
  cipher: BlockCipher,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  for (let s = 0; s < ivs.length / BLOCK; s++) {
    cipher.encryptCbc(
      data.subarray(s * sectorSize, (s + 1) * sectorSize),
      ivs.subarray(s * BLOCK, (s + 1) * BLOCK),
    );
  }
}
