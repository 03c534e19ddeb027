// The table-driven AES of the LUKS data path (src/engine/crypto/aes.ts), checked against
// FIPS 197 appendix C's known answers and against OpenSSL (node:crypto's aes-*-ecb and
// aes-*-cbc, padding off) on random keys and buffers of many sizes and alignments.

import * as crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createAes } from '../../src/engine/crypto/aes.js';
import { createBlockCipher } from '../../src/engine/crypto/block-cipher.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rand = (n: number) => new Uint8Array(crypto.randomBytes(n));
const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

function openssl(
  mode: 'ecb' | 'cbc',
  dir: 'enc' | 'dec',
  key: Uint8Array,
  data: Uint8Array,
  iv?: Uint8Array,
) {
  const name = `aes-${key.length * 8}-${mode}`;
  const c =
    dir === 'enc'
      ? crypto.createCipheriv(name, key, iv ?? null)
      : crypto.createDecipheriv(name, key, iv ?? null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

describe('AES known answers (FIPS 197 appendix C)', () => {
  const plain = '00112233445566778899aabbccddeeff';
  test.each([
    [16, '69c4e0d86a7b0430d8cdb78070b4c55a'],
    [24, 'dda97ca4864cdfe06eaf70a0ec0d7191'],
    [32, '8ea2b7ca516745bfeafc49904b496089'],
  ])('AES-%i', (keyBytes, cipher) => {
    const aes = createBlockCipher('aes', seq(keyBytes));
    expect(aes.keyBytes).toBe(keyBytes);
    const out = new Uint8Array(16);
    aes.encrypt(hex(plain), out);
    expect(toHex(out)).toBe(cipher);
    aes.decrypt(out, out);
    expect(toHex(out)).toBe(plain);
  });
});

describe('AES against OpenSSL (node:crypto)', () => {
  const sizes = [16, 32, 48, 64, 256, 512, 528, 4096, 16 * 1000, 65536 + 16];
  for (const keyBytes of [16, 24, 32]) {
    test(`AES-${keyBytes * 8} ECB, random keys, ${sizes.length} sizes, both directions`, () => {
      for (const n of sizes) {
        const key = rand(keyBytes);
        const data = rand(n);
        const aes = createAes(key);
        const enc = new Uint8Array(n);
        aes.encrypt(data, enc);
        expect(toHex(enc)).toBe(toHex(openssl('ecb', 'enc', key, data)));
        const dec = new Uint8Array(n);
        aes.decrypt(data, dec);
        expect(toHex(dec)).toBe(toHex(openssl('ecb', 'dec', key, data)));
      }
    });

    test(`AES-${keyBytes * 8} CBC encryption in place`, () => {
      const key = rand(keyBytes);
      const iv = rand(16);
      const data = rand(4096);
      const expected = openssl('cbc', 'enc', key, data, iv);
      createAes(key).encryptCbc(data, iv);
      expect(toHex(data)).toBe(toHex(expected));
    });
  }

  test('in place, and unaligned source and destination views', () => {
    const key = rand(32);
    const aes = createAes(key);
    const data = rand(1024);
    const expected = toHex(openssl('ecb', 'enc', key, data));
    const inPlace = data.slice();
    aes.encrypt(inPlace, inPlace);
    expect(toHex(inPlace)).toBe(expected);
    for (const [so, dof] of [
      [1, 0],
      [0, 3],
      [2, 2],
    ] as const) {
      const src = new Uint8Array(1024 + 8).subarray(so, so + 1024);
      src.set(data);
      const dst = new Uint8Array(1024 + 8).subarray(dof, dof + 1024);
      aes.encrypt(src, dst);
      expect(toHex(dst)).toBe(expected);
      aes.decrypt(dst, dst);
      expect(toHex(dst)).toBe(toHex(data));
    }
  });

  test('a partial block or a bad key length is refused', () => {
    const aes = createAes(rand(16));
    expect(() => aes.encrypt(new Uint8Array(20), new Uint8Array(20))).toThrow(RangeError);
    expect(() => createAes(rand(20))).toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });
});
