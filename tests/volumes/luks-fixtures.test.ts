// LUKS1/LUKS2 volumes made by cryptsetup (fixtures/build-luks.sh): every way in (two
// passphrases, a binary key file) opens the keyslot cryptsetup put it in, and the
// decrypted payload is byte-for-byte the plaintext image cryptsetup encrypted (sha256 of
// the plaintext file, and OpenSSL decrypting sample sectors, both computed by the script).
// Header facts are compared with `cryptsetup luksDump` and `blkid -p`.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource, type BlockSource } from '../../src/engine/io/block-source.js';
import { probe } from '../../src/engine/fs/probe/registry.js';
import { LuksContainer, prepareLuks } from '../../src/engine/volumes/luks/luks.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

interface Key {
  kind: 'passphrase' | 'keyfile';
  value?: string;
  file?: string;
  keyslot: number;
}
interface Expected {
  image: string;
  version: 1 | 2;
  uuid: string;
  label: string;
  cipher: string;
  sector_size: number;
  key_bits: number;
  payload_offset: number;
  payload_size: number;
  plain_sha256: string;
  volume_key: string;
  keys: Key[];
}

let dir: string;
const expected: Record<string, Expected> = {};
beforeAll(async () => {
  dir = ensureFixture('luks');
  for (const f of fs.readdirSync(path.join(dir, 'expected'))) {
    if (!/^luks[12]-.*\.json$/.test(f) || f.endsWith('.metadata.json')) continue;
    expected[f.replace(/\.json$/, '')] = JSON.parse(
      fs.readFileSync(path.join(dir, 'expected', f), 'utf8'),
    );
  }
  await prepareLuks();
}, 120_000);

const NAMES = [
  'luks2-xts512',
  'luks2-argon2id',
  'luks2-argon2i',
  'luks2-4k',
  'luks2-aes-cbc-plain',
  'luks2-aes-cbc-plain64',
  'luks2-aes-xts-plain',
  'luks2-aes-xts-plain64be',
  'luks2-aes-cbc-benbi',
  'luks2-aes-xts-null',
  'luks2-aes-cbc-null',
  'luks2-aes-ecb',
  'luks2-aes-xts-essiv-sha256',
  'luks1-aes-xts-plain64',
  'luks1-aes-cbc-essiv-sha256',
];

const load = (name: string) =>
  new MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, `${name}.img`))), `${name}.img`);
const keyBytes = (k: Key) =>
  k.kind === 'keyfile'
    ? new Uint8Array(fs.readFileSync(path.join(dir, k.file!)))
    : new TextEncoder().encode(k.value!);

describe.each(NAMES)('%s', (name) => {
  test('the header matches luksDump and blkid', () => {
    const e = expected[name]!;
    expect(e, `fixture ${name} missing`).toBeDefined();
    const info = LuksContainer.open(load(name)).info();
    expect(info).toMatchObject({
      version: e.version,
      uuid: e.uuid,
      cipher: e.cipher,
      key_size: e.key_bits,
      payload_offset: e.payload_offset,
      payload_size: e.payload_size,
      sector_size: e.sector_size,
    });
    if (e.version === 2) expect(info.label).toBe(e.label);
  });

  test('every key opens its keyslot and decrypts to the plaintext', () => {
    const e = expected[name]!;
    const c = LuksContainer.open(load(name));
    for (const key of e.keys) {
      const v = c.unlock(keyBytes(key));
      expect(v.keyslot).toBe(key.keyslot);
      expect(v.size).toBe(e.payload_size);
      expect(sha256(v.readAt(0, v.size))).toBe(e.plain_sha256);
    }
  });

  test('unlockAsync (WebCrypto PBKDF2) opens the same keyslots to the same plaintext', async () => {
    const e = expected[name]!;
    const c = LuksContainer.open(load(name));
    for (const key of e.keys) {
      const v = await c.unlockAsync(keyBytes(key));
      expect(v.keyslot).toBe(key.keyslot);
      expect(sha256(v.readAt(0, v.size))).toBe(e.plain_sha256);
    }
    await expect(c.unlockAsync('not the passphrase')).rejects.toMatchObject({ kind: 'locked' });
  });

  test('a wrong passphrase is locked, in every keyslot and in a named one', () => {
    const e = expected[name]!;
    const c = LuksContainer.open(load(name));
    const err = (() => {
      try {
        c.unlock('not the passphrase');
      } catch (x) {
        return x as EngineError;
      }
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect(err!.kind).toBe('locked');
    const other = e.keys.find((k) => k.keyslot !== 0);
    if (other) {
      expect(() => c.unlock(keyBytes(other), { keyslot: 0 })).toThrow(
        expect.objectContaining({ kind: 'locked' }),
      );
      expect(c.unlock(keyBytes(other), { keyslot: other.keyslot }).keyslot).toBe(other.keyslot);
    }
  });
});

test('unlock reports the progress of each key derivation', () => {
  const seen: { keyslot: number; fraction: number }[] = [];
  const c = LuksContainer.open(load('luks2-argon2id'));
  c.unlock(expected['luks2-argon2id']!.keys[0]!.value!, { onProgress: (p) => seen.push(p) });
  expect(seen.length).toBeGreaterThan(2);
  expect(seen.every((p) => p.keyslot === 0)).toBe(true);
  expect(seen.at(-1)!.fraction).toBe(1);
});

describe('the decrypted device', () => {
  test('holds the plaintext filesystem blkid sees in the plain image', () => {
    const plain = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'plain.json'), 'utf8'));
    const v = LuksContainer.open(load('luks2-xts512')).unlock(
      expected['luks2-xts512']!.keys[0]!.value!,
    );
    expect(probe(v)).toMatchObject({ type: plain.TYPE, label: plain.LABEL, uuid: plain.UUID });
  });

  test.each(['luks2-xts512', 'luks2-4k', 'luks1-aes-cbc-essiv-sha256'])(
    '%s: unaligned reads across sectors and decrypt runs equal the plaintext file',
    (name) => {
      const e = expected[name]!;
      const plainFile =
        name === 'luks2-xts512'
          ? 'plain4.img'
          : name.startsWith('luks1')
            ? 'plain6.img'
            : 'plain3.img';
      const plain = new Uint8Array(fs.readFileSync(path.join(dir, plainFile)));
      const v = LuksContainer.open(load(name)).unlock(e.keys[0]!.value!);
      for (const [off, len] of [
        [0, 1],
        [511, 2],
        [4095, 4098],
        [12345, v.size - 12345 - 1000], // spans several 1 MiB decrypt runs where it can
        [v.size - 7, 7],
      ] as const) {
        expect(sha256(v.readAt(off, len))).toBe(sha256(plain.subarray(off, off + len)));
      }
      expect(() => v.readAt(v.size - 1, 2)).toThrow();
    },
  );
});

/** A writable copy in memory, standing in for the overlay. */
function writable(bytes: Uint8Array): BlockSource {
  const buf = bytes.slice();
  const src = new MemorySource(buf);
  return {
    size: src.size,
    name: 'writable',
    readAt: (o, l) => src.readAt(o, l),
    writeAt: (o, d) => buf.set(d, o),
  };
}

describe('writes re-encrypt', () => {
  test('aes-xts-plain64: a write at an odd offset reads back, and OpenSSL decrypts the sectors', () => {
    const e = expected['luks2-xts512']!;
    const disk = writable(new Uint8Array(fs.readFileSync(path.join(dir, 'luks2-xts512.img'))));
    const v = LuksContainer.open(disk).unlock(e.keys[0]!.value!);
    const patch = new TextEncoder().encode('written through guestkit '.repeat(40)); // 1000 bytes
    const at = 512 * 7 + 300;
    v.writeAt!(at, patch);
    expect(new TextDecoder().decode(v.readAt(at, patch.length))).toBe(
      new TextDecoder().decode(patch),
    );
    // Independent check: OpenSSL's XTS with the volume key the script gave cryptsetup.
    const plain = new Uint8Array(fs.readFileSync(path.join(dir, 'plain4.img')));
    const want = plain.slice(0, 512 * 10);
    want.set(patch, at);
    const key = Buffer.from(e.volume_key, 'hex');
    for (let s = 7; s <= 9; s++) {
      const iv = Buffer.alloc(16);
      iv.writeBigUInt64LE(BigInt(s));
      const d = crypto.createDecipheriv('aes-256-xts', key, iv);
      const ct = disk.readAt(e.payload_offset + 512 * s, 512);
      const pt = Buffer.concat([d.update(ct), d.final()]);
      expect(pt.toString('hex')).toBe(
        Buffer.from(want.subarray(512 * s, 512 * s + 512)).toString('hex'),
      );
    }
  });

  test('aes-cbc-essiv:sha256 and 4096-byte sectors round-trip; read-only volumes refuse', () => {
    for (const name of ['luks1-aes-cbc-essiv-sha256', 'luks2-4k']) {
      const e = expected[name]!;
      const disk = writable(new Uint8Array(fs.readFileSync(path.join(dir, `${name}.img`))));
      const c = LuksContainer.open(disk);
      const v = c.unlock(e.keys[0]!.value!);
      const data = new Uint8Array(9000).map((_, i) => (i * 7) & 0xff);
      v.writeAt!(4097, data);
      // Reopen from the bytes on disk: the new key schedule decrypts what the old wrote.
      const again = LuksContainer.open(disk).unlock(e.keys[0]!.value!);
      expect(sha256(again.readAt(4097, 9000))).toBe(sha256(data));
      expect(c.unlock(e.keys[0]!.value!, { readonly: true }).writeAt).toBeUndefined();
    }
  });
});

describe('the volume key never leaves the engine', () => {
  test('not in info, JSON, inspection, devices or errors', () => {
    for (const name of ['luks2-xts512', 'luks1-aes-xts-plain64', 'luks2-argon2id']) {
      const e = expected[name]!;
      const hexKey = e.volume_key;
      const b64 = Buffer.from(hexKey, 'hex').toString('base64');
      const c = LuksContainer.open(load(name));
      const v = c.unlock(e.keys[0]!.value!);
      const dev = v.device('secret', { name: '/dev/sda1', source: load(name) });
      const errors: unknown[] = [];
      for (const bad of ['wrong', '']) {
        try {
          c.unlock(bad);
        } catch (x) {
          errors.push(x, (x as EngineError).toJSON());
        }
      }
      for (const shown of [
        JSON.stringify(c.info()),
        JSON.stringify(v),
        JSON.stringify({ ...dev, source: v }),
        inspect(v, { showHidden: true, depth: 8 }),
        inspect(c, { showHidden: true, depth: 8 }),
        JSON.stringify(errors),
        inspect(errors, { depth: 8 }),
      ]) {
        expect(shown).not.toContain(hexKey);
        expect(shown).not.toContain(hexKey.slice(0, 32));
        expect(shown).not.toContain(b64);
      }
      expect(errors.length).toBe(4);
    }
  });
});
