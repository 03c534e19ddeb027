// The cipher building blocks of the LUKS layer, each checked against an independent
// implementation or a published known answer: OpenSSL (through node:crypto) for AES-XTS,
// AES-CBC and PBKDF2; the Twofish authors' ECB tables; NESSIE's Serpent set 1.

import * as crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createBlockCipher } from '../../src/engine/crypto/block-cipher.js';
import { getHash, prepareCrypto } from '../../src/engine/crypto/hash.js';
import { pbkdf2 } from '../../src/engine/crypto/pbkdf2.js';
import { LrwKeys, lrwDecrypt, lrwEncrypt } from '../../src/engine/crypto/lrw.js';
import { FORWARD, INVERSE } from '../../src/engine/crypto/serpent-sboxes.js';
import {
  cbcDecrypt,
  cbcEncrypt,
  xtsDecrypt,
  xtsEncrypt,
} from '../../src/engine/crypto/sector-modes.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Deterministic pseudo-random bytes (the tests must not depend on the run). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** plain64 IVs: the little-endian sector number in the first 8 bytes. */
function plain64(first: number, count: number, step = 1): Uint8Array {
  const ivs = new Uint8Array(16 * count);
  const dv = new DataView(ivs.buffer);
  for (let i = 0; i < count; i++) dv.setBigUint64(16 * i, BigInt(first + i * step), true);
  return ivs;
}

describe('block ciphers: published known answers', () => {
  // Schneier et al., ecb_tbl.txt I=1 and ecb_ival.txt.
  test.each([
    [
      '00000000000000000000000000000000',
      '00000000000000000000000000000000',
      '9f589f5cf6122c32b6bfec2f2ae8c35a',
    ],
    [
      '9f589f5cf6122c32b6bfec2f2ae8c35a',
      'd491db16e7b1c39e86cb086b789f5419',
      '019f9809de1711858faac3a3ba20fbc3',
    ],
    [
      '0123456789abcdeffedcba98765432100011223344556677',
      '00000000000000000000000000000000',
      'cfd1d2e5a9be9cdf501f13b892bd2248',
    ],
    [
      '88b2b2706b105e36b446bb6d731a1e88efa71f788965bd44',
      '39da69d6ba4997d585b6dc073ca341b2',
      '182b02d81497ea45f9daacdc29193a65',
    ],
    [
      '0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff',
      '00000000000000000000000000000000',
      '37527be0052334b89f0cfccae87cfa20',
    ],
    [
      'd43bb7556ea32e46f2a282b7d45b4e0d57ff739d4dc92c1bd7fc01700cc8216f',
      '90afe91bb288544f2c32dc239b2635e6',
      '6cb4561c40bf0a9705931cb6d408e7fa',
    ],
  ])('twofish key %s', (key, pt, ct) => {
    const c = createBlockCipher('twofish', hex(key));
    const out = new Uint8Array(16);
    c.encrypt(hex(pt), out);
    expect(toHex(out)).toBe(ct);
    c.decrypt(out, out);
    expect(toHex(out)).toBe(pt);
  });

  test('serpent: NESSIE set 1 vector 0 (128-bit key 80 00 ..)', () => {
    const c = createBlockCipher('serpent', hex('80000000000000000000000000000000'));
    const out = new Uint8Array(16);
    c.encrypt(new Uint8Array(16), out);
    expect(toHex(out)).toBe('264e5481eff42a4606abda06c0bfda3d');
    c.decrypt(out, out);
    expect(toHex(out)).toBe('00000000000000000000000000000000');
  });

  // The S-box tables of the Serpent proposal, section 2.
  const SERPENT_SBOX = [
    [3, 8, 15, 1, 10, 6, 5, 11, 14, 13, 4, 2, 7, 0, 9, 12],
    [15, 12, 2, 7, 9, 0, 5, 10, 1, 11, 14, 8, 6, 13, 3, 4],
    [8, 6, 7, 9, 3, 12, 10, 15, 13, 1, 14, 4, 0, 11, 5, 2],
    [0, 15, 11, 8, 12, 9, 6, 3, 13, 1, 2, 4, 10, 7, 5, 14],
    [1, 15, 8, 3, 12, 0, 11, 6, 2, 5, 4, 10, 9, 14, 7, 13],
    [15, 5, 2, 11, 4, 10, 9, 12, 0, 3, 14, 8, 13, 6, 7, 1],
    [7, 2, 12, 5, 8, 4, 6, 11, 14, 9, 1, 15, 13, 3, 10, 0],
    [1, 13, 15, 0, 14, 8, 2, 11, 7, 4, 12, 10, 9, 3, 5, 6],
  ];
  test('serpent: the generated bitsliced S-boxes and inverses match the tables', () => {
    for (let k = 0; k < 8; k++) {
      for (let v = 0; v < 16; v++) {
        // Column j holds nibble (v + j) mod 16: all inputs at once, in different columns.
        const x = new Uint32Array(4);
        for (let j = 0; j < 32; j++)
          for (let bit = 0; bit < 4; bit++) x[bit]! |= ((((v + j) % 16) >> bit) & 1) << j;
        const y = x.slice();
        FORWARD[k]!(y, 0);
        for (let j = 0; j < 32; j++) {
          const out = [0, 1, 2, 3].reduce((n, bit) => n | (((y[bit]! >>> j) & 1) << bit), 0);
          expect(out).toBe(SERPENT_SBOX[k]![(v + j) % 16]);
        }
        INVERSE[k]!(y, 0);
        expect([...y]).toEqual([...x]);
      }
    }
  });

  test.each(['serpent', 'twofish'])('%s: decrypt inverts encrypt for every key size', (name) => {
    for (const size of [16, 24, 32]) {
      const c = createBlockCipher(name, bytes(size, size));
      const pt = bytes(4096, 7);
      const ct = new Uint8Array(pt.length);
      c.encrypt(pt, ct);
      expect(toHex(ct)).not.toBe(toHex(pt));
      const back = new Uint8Array(pt.length);
      c.decrypt(ct, back);
      expect(toHex(back)).toBe(toHex(pt));
    }
  });
});

describe('disk modes against OpenSSL', () => {
  test.each([32, 64])(
    'aes-xts-plain64 with a %i-byte key, 512- and 4096-byte sectors',
    (keyLen) => {
      const key = bytes(keyLen, keyLen);
      const half = keyLen / 2;
      const k = {
        data: createBlockCipher('aes', key.subarray(0, half)),
        tweak: createBlockCipher('aes', key.subarray(half)),
      };
      for (const sectorSize of [512, 4096]) {
        const plain = bytes(sectorSize * 5, sectorSize);
        const ivs = plain64(1000, 5, sectorSize / 512);
        const expected = Buffer.concat(
          [0, 1, 2, 3, 4].map((s) => {
            const c = crypto.createCipheriv(
              keyLen === 32 ? 'aes-128-xts' : 'aes-256-xts',
              key,
              ivs.subarray(16 * s, 16 * s + 16),
            );
            return Buffer.concat([
              c.update(plain.subarray(s * sectorSize, (s + 1) * sectorSize)),
              c.final(),
            ]);
          }),
        );
        const data = plain.slice();
        xtsEncrypt(k, data, ivs, sectorSize);
        expect(toHex(data)).toBe(expected.toString('hex'));
        xtsDecrypt(k, data, ivs, sectorSize);
        expect(toHex(data)).toBe(toHex(plain));
      }
    },
  );

  test('aes-cbc with per-sector IVs', () => {
    const key = bytes(32, 3);
    const cipher = createBlockCipher('aes', key);
    const plain = bytes(512 * 4, 9);
    const ivs = bytes(16 * 4, 11);
    const expected = Buffer.concat(
      [0, 1, 2, 3].map((s) => {
        const c = crypto.createCipheriv('aes-256-cbc', key, ivs.subarray(16 * s, 16 * s + 16));
        c.setAutoPadding(false);
        return Buffer.concat([c.update(plain.subarray(s * 512, (s + 1) * 512)), c.final()]);
      }),
    );
    const data = plain.slice();
    cbcEncrypt(cipher, data, ivs, 512);
    expect(toHex(data)).toBe(expected.toString('hex'));
    cbcDecrypt(cipher, data, ivs, 512);
    expect(toHex(data)).toBe(toHex(plain));
  });
});

describe('PBKDF2 against OpenSSL', () => {
  test.each(['sha1', 'sha256', 'sha512', 'ripemd160', 'sha3-256'])('%s', (name) => {
    const pass = new TextEncoder().encode('correct horse');
    const salt = bytes(32, 5);
    for (const [iter, len] of [
      [1, 20],
      [1000, 32],
      [3, 100],
    ] as const) {
      const expected = crypto.pbkdf2Sync(pass, salt, iter, len, name);
      expect(toHex(pbkdf2(getHash(name), pass, salt, iter, len))).toBe(expected.toString('hex'));
    }
  });

  test('a password longer than the hash block is hashed first (RFC 2104)', async () => {
    await prepareCrypto();
    const pass = bytes(200, 1);
    const expected = crypto.pbkdf2Sync(pass, 'salt', 10, 64, 'sha256');
    expect(toHex(pbkdf2(getHash('sha256'), pass, new TextEncoder().encode('salt'), 10, 64))).toBe(
      expected.toString('hex'),
    );
  });

  test('progress is reported and a throwing callback aborts', () => {
    const seen: number[] = [];
    pbkdf2(getHash('sha256'), new Uint8Array(4), new Uint8Array(8), 40000, 32, (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(1);
    expect(() =>
      pbkdf2(getHash('sha256'), new Uint8Array(4), new Uint8Array(8), 40000, 32, () => {
        throw new Error('cancelled');
      }),
    ).toThrow('cancelled');
  });

  test('whirlpool needs prepareCrypto(), then works synchronously', async () => {
    await prepareCrypto();
    const wp = getHash('whirlpool');
    const st = wp.create();
    st.update(new Uint8Array(0));
    // ISO/IEC 10118-3 Whirlpool of the empty string.
    expect(toHex(st.digest())).toBe(
      '19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be698b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3',
    );
    expect(getHash('wp256').outputLen).toBe(32);
  });
});

describe('LRW: IEEE P1619 LRW-32-AES vectors 1-7 (as Linux crypto/testmgr.h carries them)', () => {
  const pt = '30313233343536373839414243444546';
  test.each([
    [
      '4562ac25f828176d4c268414b5680185',
      '258e2a05e73e9d03ee5a830ccc094c87',
      '00000000000000000000000000000001',
      'f1b273cd65a3df5fe95d489254634eb8',
    ],
    [
      '59704714f557478cd779e80f54887944',
      '0d48f0b7b15a53ea1caa6b29c2cafbaf',
      '00000000000000000000000000000002',
      '00c82bae95bbcde5274f0769b260e136',
    ],
    [
      'd82a9134b26a565030fe69e2377f9847',
      'cdf90b160c648fb6b00d0d1bae85871f',
      '00000000000000000000000200000000',
      '76322183ed8ff182f9596203690e5e01',
    ],
    [
      '0f6aeff8d3d2bb152583f73c1f012874cac6bc354d4a6554',
      '90ae61cf7baebdccade494c54a29ae70',
      '00000000000000000000000000000001',
      '9c0f152f55a2d8f0d67b8f9e2822bc41',
    ],
    [
      '8ad4ee102fbd81fff886ceac93c5adc6a01907c09df7bbdd',
      '5213b2b7f0ff11d8d608d0cd2eb1176f',
      '00000000000000000000000200000000',
      'd4276a7f14913d65c860480287e33406',
    ],
    [
      'f8d476ffd646ee6c2384cb1c77d6195dfef1a9f37bbc8d21a79c21f8cb900289',
      'a845348ec8c5b5f126f50e76fefd1b1e',
      '00000000000000000000000000000001',
      'bd06b8e1db98899ec498e491cf1c702b',
    ],
    [
      'fb7615b23d80891dd470980bc79584c8b2fb64ce6097878d17fce45a49e830b7',
      '6e7817e72d5e12d46064047af12f9e0c',
      '00000000000000000000000200000000',
      '5b908ec1abdd675f3d698a9553c89ce5',
    ],
  ])('key %s index %s', (key, tweakKey, index, ct) => {
    const k = new LrwKeys(createBlockCipher('aes', hex(key)), hex(tweakKey));
    const data = hex(pt);
    lrwEncrypt(k, data, hex(index), 16);
    expect(toHex(data)).toBe(ct);
    lrwDecrypt(k, data, hex(index), 16);
    expect(toHex(data)).toBe(pt);
  });

  test('the incremental tweak equals the tweak computed from scratch, across a carry', () => {
    const k = new LrwKeys(createBlockCipher('aes', bytes(16, 1)), bytes(16, 2));
    // A 512-byte sector whose block index starts just below a 32-bit carry.
    const start = hex('000000000000000000000000fffffff0');
    const run = bytes(512, 3);
    lrwEncrypt(k, run, start, 512);
    for (let j = 0; j < 32; j++) {
      const idx = new Uint8Array(16);
      const v = 0xfffffff0 + j;
      new DataView(idx.buffer).setUint32(12, v >>> 0);
      if (v > 0xffffffff) idx[11] = 1;
      const one = bytes(512, 3)
        .subarray(16 * j, 16 * j + 16)
        .slice();
      lrwEncrypt(k, one, idx, 16);
      expect(toHex(run.subarray(16 * j, 16 * j + 16))).toBe(toHex(one));
    }
  });
});
