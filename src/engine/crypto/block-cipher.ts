// 128-bit block ciphers by the names dm-crypt and LUKS use ("aes", "twofish", "serpent"),
// exposed as whole-buffer ECB so the disk modes above them (xts.ts, cbc.ts, lrw.ts) can
// hand over a whole run of sectors in one call. All three are our own table-driven code
// (aes.ts replaced @noble/ciphers' AES, which ran the LUKS data path at ~40–60 MiB/s).
// Reference: FIPS 197 (AES); the Twofish and Serpent AES-submission papers.

import { unsupported } from '../errors.js';
import { createAes } from './aes.js';
export { BLOCK } from './blocks.js';
import { createSerpent } from './serpent.js';
import { createTwofish } from './twofish.js';

export interface BlockCipher {
  readonly name: string;
  /** Key length in bytes this instance was created with. */
  readonly keyBytes: number;
  /** ECB over `src` (a multiple of 16 bytes) into `dst`; dst may be src itself. */
  encrypt(src: Uint8Array, dst: Uint8Array): void;
  decrypt(src: Uint8Array, dst: Uint8Array): void;
  /** CBC encryption of `data` in place with `iv` (inherently block-sequential: writes
   * only; reads decrypt CBC through whole-run ECB). */
  encryptCbc(data: Uint8Array, iv: Uint8Array): void;
}

/** Key sizes each cipher accepts, in bytes. */
export const CIPHER_KEY_SIZES: Readonly<Record<string, readonly number[]>> = {
  aes: [16, 24, 32],
  twofish: [16, 24, 32],
  serpent: [16, 24, 32],
};

/** A block cipher keyed with `key`, or `unsupported` naming the cipher. The caller has
 * already checked the key length against CIPHER_KEY_SIZES (a header field is at fault). */
export function createBlockCipher(name: string, key: Uint8Array): BlockCipher {
  switch (name) {
    case 'aes':
      return createAes(key);
    case 'twofish':
      return createTwofish(key);
    case 'serpent':
      return createSerpent(key);
    default:
      throw unsupported(`cipher ${name}`);
  }
}

/** True if `name` is a cipher createBlockCipher knows. */
export function isKnownCipher(name: string): boolean {
  return name in CIPHER_KEY_SIZES;
}
