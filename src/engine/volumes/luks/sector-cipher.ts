// A keyed dm-crypt cipher over runs of sectors: the IV generator (one 16-byte IV per
// sector, from the sector's number in 512-byte units) feeding a chaining mode.
// Reference: Linux drivers/md/dm-crypt.c (crypt_iv_plain_gen, crypt_iv_plain64_gen,
// crypt_iv_plain64be_gen, crypt_iv_benbi_gen, ESSIV: IV = E_{H(key)}(plain64)); the IV
// sector counts 512-byte units even with 4096-byte sectors (LUKS2 never sets dm-crypt's
// iv_large_sectors).

import { unsupported } from '../../errors.js';
import {
  createBlockCipher,
  CIPHER_KEY_SIZES,
  type BlockCipher,
} from '../../crypto/block-cipher.js';
import { assertLittleEndian } from '../../crypto/blocks.js';
import { getHash, hashOf } from '../../crypto/hash.js';
import { LrwKeys, lrwDecrypt, lrwEncrypt } from '../../crypto/lrw.js';
import { cbcDecrypt, cbcEncrypt, xtsDecrypt, xtsEncrypt } from '../../crypto/sector-modes.js';
import type { CipherSpec } from './cipher-spec.js';
import { SECTOR } from './limits.js';

export interface SectorCipher {
  readonly sectorSize: number;
  /** Decrypts whole sectors in place; `firstIvSector` is the first sector's IV number
   * (512-byte units). `data` must be 4-byte aligned. */
  decrypt(data: Uint8Array, firstIvSector: number): void;
  encrypt(data: Uint8Array, firstIvSector: number): void;
}

type ModeFn = (data: Uint8Array, ivs: Uint8Array, sectorSize: number) => void;

/** The mode's decrypt/encrypt pair, keyed. The volume key is captured in closures only. */
function keyedMode(spec: CipherSpec, key: Uint8Array): { dec: ModeFn; enc: ModeFn } {
  const make = (k: Uint8Array) => createBlockCipher(spec.cipher, k);
  switch (spec.mode) {
    case 'xts': {
      const half = key.length / 2;
      const k = { data: make(key.subarray(0, half)), tweak: make(key.subarray(half)) };
      return {
        dec: (d, iv, ss) => xtsDecrypt(k, d, iv, ss),
        enc: (d, iv, ss) => xtsEncrypt(k, d, iv, ss),
      };
    }
    case 'lrw': {
      const k = new LrwKeys(make(key.subarray(0, key.length - 16)), key.subarray(key.length - 16));
      return {
        dec: (d, iv, ss) => lrwDecrypt(k, d, iv, ss),
        enc: (d, iv, ss) => lrwEncrypt(k, d, iv, ss),
      };
    }
    case 'cbc': {
      const c = make(key);
      return {
        dec: (d, iv, ss) => cbcDecrypt(c, d, iv, ss),
        enc: (d, iv, ss) => cbcEncrypt(c, d, iv, ss),
      };
    }
    case 'ecb': {
      const c = make(key);
      return { dec: (d) => c.decrypt(d, d), enc: (d) => c.encrypt(d, d) };
    }
  }
}

/** Writes a 64-bit sector number (< 2^53) into `view` at `off`. */
function put64(view: DataView, off: number, n: number, littleEndian: boolean): void {
  const lo = n % 2 ** 32;
  const hi = Math.floor(n / 2 ** 32);
  view.setUint32(off, littleEndian ? lo : hi, littleEndian);
  view.setUint32(off + 4, littleEndian ? hi : lo, littleEndian);
}

/** benbi counts cipher blocks from 1: sector << (9 - log2(16)), plus one, big-endian. */
const BENBI_SHIFT = 9 - 4;

/** The IV generator: fills `count` IVs for sectors first, first + step, ... */
function ivGenerator(
  spec: CipherSpec,
  key: Uint8Array,
): (first: number, count: number, step: number) => Uint8Array {
  let essiv: BlockCipher | undefined;
  if (spec.iv === 'essiv') {
    const salt = hashOf(getHash(spec.ivHash!), key);
    if (!CIPHER_KEY_SIZES[spec.cipher]!.includes(salt.length)) {
      throw unsupported(
        `cipher ${spec.text}`,
        'the ESSIV hash size is not a key size of the cipher',
      );
    }
    essiv = createBlockCipher(spec.cipher, salt);
  }
  return (first, count, step) => {
    const ivs = new Uint8Array(16 * count);
    const dv = new DataView(ivs.buffer);
    for (let i = 0; i < count; i++) {
      const n = first + i * step;
      switch (spec.iv) {
        case 'plain':
          dv.setUint32(16 * i, n % 2 ** 32, true);
          break;
        case 'plain64':
        case 'essiv':
          put64(dv, 16 * i, n, true);
          break;
        case 'plain64be':
          put64(dv, 16 * i + 8, n, false);
          break;
        case 'benbi':
          put64(dv, 16 * i + 8, n * 2 ** BENBI_SHIFT + 1, false);
          break;
      }
    }
    essiv?.encrypt(ivs, ivs);
    return ivs;
  };
}

/** A sector cipher keyed with `key` (whose length the caller has checked). */
export function createSectorCipher(
  spec: CipherSpec,
  key: Uint8Array,
  sectorSize: number,
): SectorCipher {
  assertLittleEndian();
  const mode = keyedMode(spec, key);
  const ivs = ivGenerator(spec, key);
  const step = sectorSize / SECTOR;
  const run = (fn: ModeFn, data: Uint8Array, first: number) => {
    const count = data.length / sectorSize;
    fn(data, spec.iv === 'none' ? new Uint8Array(0) : ivs(first, count, step), sectorSize);
  };
  return {
    sectorSize,
    decrypt: (data, first) => run(mode.dec, data, first),
    encrypt: (data, first) => run(mode.enc, data, first),
  };
}
