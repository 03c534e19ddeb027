// Sector modes of dm-crypt over a whole run of sectors at once: XTS, CBC and plain ECB.
// Each takes the run's bytes (aligned, `count` sectors of `sectorSize`) and one 16-byte
// IV per sector (from the IV generator, see volumes/luks/sector-cipher.ts), and works in
// place. The block cipher is called once per run, never per block.
// Reference: IEEE Std 1619-2007 (XTS-AES: tweak = E_K2(IV), multiplied by alpha per
// block, little-endian GF(2^128) with x^128 + x^7 + x^2 + x + 1); NIST SP 800-38A (CBC).

import type { BlockCipher } from './block-cipher.js';
import { BLOCK } from './blocks.js';

/** Word view of a buffer the caller allocated aligned (an internal invariant). */
export function alignedWords(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 !== 0) throw new Error('internal: unaligned sector buffer');
  return new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
}

/**
 * XORs every block of the run with its XTS tweak: the sector's E_K2(IV) (in `first`),
 * multiplied by alpha once per block. Called before and after the one ECB call of the
 * run; recomputing the tweaks is cheaper than storing a run-sized tweak array.
 */
function xorTweaks(d: Uint32Array, first: Uint32Array, sectorSize: number): void {
  const wordsPerSector = sectorSize >>> 2;
  for (let s = 0, o = 0; o < d.length; s++) {
    let w0 = first[4 * s]!;
    let w1 = first[4 * s + 1]!;
    let w2 = first[4 * s + 2]!;
    let w3 = first[4 * s + 3]!;
    for (const end = o + wordsPerSector; o < end; o += 4) {
      d[o]! ^= w0;
      d[o + 1]! ^= w1;
      d[o + 2]! ^= w2;
      d[o + 3]! ^= w3;
      // Multiply by alpha: a 128-bit little-endian shift left, reduced by 0x87.
      const carry = w3 >>> 31;
      w3 = (w3 << 1) | (w2 >>> 31);
      w2 = (w2 << 1) | (w1 >>> 31);
      w1 = (w1 << 1) | (w0 >>> 31);
      w0 = (w0 << 1) ^ (carry * 0x87);
    }
  }
}

export interface XtsKeys {
  data: BlockCipher;
  tweak: BlockCipher;
}

function xts(
  k: XtsKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
  decrypt: boolean,
): void {
  const first = new Uint8Array(ivs.length);
  k.tweak.encrypt(ivs, first);
  const t = alignedWords(first);
  const d = alignedWords(data);
  xorTweaks(d, t, sectorSize);
  if (decrypt) k.data.decrypt(data, data);
  else k.data.encrypt(data, data);
  xorTweaks(d, t, sectorSize);
}

export function xtsDecrypt(
  k: XtsKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  xts(k, data, ivs, sectorSize, true);
}

export function xtsEncrypt(
  k: XtsKeys,
  data: Uint8Array,
  ivs: Uint8Array,
  sectorSize: number,
): void {
  xts(k, data, ivs, sectorSize, false);
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
