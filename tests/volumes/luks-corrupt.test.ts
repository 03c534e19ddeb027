// Damaged LUKS headers: one field of a good header (made by cryptsetup, fixtures/build-luks.sh)
// is patched and the engine must answer with a typed EngineError naming the structure -
// never a hang, a huge allocation, or a silently wrong key. Field offsets are those of the
// LUKS1 On-Disk Format Specification (phdr, big-endian) and the LUKS2 specification
// (binary header; JSON rewritten in both copies with their sha256 checksums recomputed
// by node:crypto, so only the field under test is wrong).

/* eslint-disable @typescript-eslint/no-explicit-any -- the cases edit LUKS2 JSON field by field */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { LuksContainer, prepareLuks } from '../../src/engine/volumes/luks/luks.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

let dir: string;
const PASS = 'correct horse battery staple';
const PASS2 = 'second passphrase, slot 1';
beforeAll(async () => {
  dir = ensureFixture('luks');
  await prepareLuks();
}, 120_000);

const image = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, `${name}.img`)));
const expectedOf = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.json`), 'utf8'));

function failure(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

const kindAndStructure = (e: EngineError) => ({ kind: e.kind, structure: e.structure });
const openBytes = (b: Uint8Array) => LuksContainer.open(new MemorySource(b));
const be32 = (b: Uint8Array, off: number, v: number) =>
  new DataView(b.buffer).setUint32(off, v, false);
const rd32 = (b: Uint8Array, off: number) => new DataView(b.buffer).getUint32(off, false);

describe('LUKS1 header fields', () => {
  const NAME = 'luks1-aes-xts-plain64';
  const ks = (i: number) => 208 + 48 * i;
  const cases: [string, (b: Uint8Array) => void, string, string | undefined][] = [
    ['magic', (b) => (b[0] = 0x4d), 'corrupt', 'LUKS header'],
    ['version 0', (b) => (b[7] = 0), 'corrupt', 'LUKS header'],
    ['version 3', (b) => (b[7] = 3), 'unsupported', undefined],
    ['key-bytes 0', (b) => be32(b, 108, 0), 'corrupt', 'LUKS1 header'],
    [
      'key-bytes 20 (no AES-XTS key is 20 bytes)',
      (b) => be32(b, 108, 20),
      'corrupt',
      'LUKS1 header',
    ],
    ['key-bytes huge', (b) => be32(b, 108, 0x7fffffff), 'corrupt', 'LUKS1 header'],
    ['mk-digest-iter 0', (b) => be32(b, 164, 0), 'corrupt', 'LUKS1 header'],
    ['mk-digest-iter 2^32-1', (b) => be32(b, 164, 0xffffffff), 'corrupt', 'LUKS1 header'],
    ['payload-offset past the device', (b) => be32(b, 104, 0x7fffffff), 'corrupt', 'LUKS1 header'],
    ['payload-offset 0 (detached header)', (b) => be32(b, 104, 0), 'unsupported', undefined],
    ['keyslot 0 active flag', (b) => be32(b, ks(0), 0x12345678), 'corrupt', 'LUKS1 keyslot 0'],
    ['keyslot 0 iterations 0', (b) => be32(b, ks(0) + 4, 0), 'corrupt', 'LUKS1 keyslot 0'],
    ['keyslot 0 stripes 0', (b) => be32(b, ks(0) + 44, 0), 'corrupt', 'LUKS1 keyslot 0'],
    [
      'keyslot 0 stripes huge',
      (b) => be32(b, ks(0) + 44, 0xffffffff),
      'corrupt',
      'LUKS1 keyslot 0',
    ],
    [
      'keyslot 0 key material in the header',
      (b) => be32(b, ks(0) + 40, 1),
      'corrupt',
      'LUKS1 keyslot 0',
    ],
    [
      'keyslot 7 (disabled) past the payload',
      (b) => be32(b, ks(7) + 40, 4090),
      'corrupt',
      'LUKS1 keyslot 7',
    ],
    [
      'keyslot 1 on top of keyslot 0',
      (b) => be32(b, ks(1) + 40, rd32(b, ks(0) + 40) + 1),
      'corrupt',
      'LUKS1 keyslot 0',
    ],
  ];
  test.each(cases)('%s', (_, patch, kind, structure) => {
    const b = image(NAME);
    patch(b);
    const e = failure(() => openBytes(b));
    expect(e.kind).toBe(kind);
    if (structure) expect(e.structure).toBe(structure);
  });

  test('a device cut inside the keyslots', () => {
    const e = failure(() => openBytes(image(NAME).slice(0, 300_000)));
    expect(kindAndStructure(e)).toEqual({ kind: 'corrupt', structure: 'LUKS1 header' });
  });

  test('one flipped bit of key material loses that keyslot only', () => {
    const b = image(NAME);
    b[rd32(b, ks(0) + 40) * 512 + 1000]! ^= 0x10;
    const c = openBytes(b);
    expect(failure(() => c.unlock(PASS)).kind).toBe('locked');
    expect(c.unlock(PASS2).keyslot).toBe(1);
  });

  test('an unknown cipher or hash opens the header but refuses to unlock, naming it', () => {
    const b = image(NAME);
    b.set(new TextEncoder().encode('blowfish\0'), 8);
    const c = openBytes(b);
    expect(c.info().uuid).toBe(expectedOf(NAME).uuid);
    const e = failure(() => c.unlock(PASS));
    expect(e.kind).toBe('unsupported');
    expect(e.feature).toContain('blowfish-xts-plain64');
    const h = image(NAME);
    h.set(new TextEncoder().encode('md4\0'), 72);
    expect(failure(() => openBytes(h).unlock(PASS))).toMatchObject({
      kind: 'unsupported',
      feature: 'hash md4',
    });
  });
});

/** The LUKS2 metadata of a fixture, editable, written back into both copies. */
class Luks2Image {
  readonly b: Uint8Array;
  readonly hdrSize: number;
  constructor(name: string) {
    this.b = image(name);
    this.hdrSize = Number(new DataView(this.b.buffer).getBigUint64(8, false));
  }
  json(copy = 0): Record<string, any> {
    const area = this.b.subarray(copy + 4096, copy + this.hdrSize);
    return JSON.parse(new TextDecoder().decode(area.subarray(0, area.indexOf(0))));
  }
  /** Writes `text` as the JSON of the copies given, and re-seals their checksums. */
  writeJson(text: string, copies = [0, this.hdrSize]): this {
    for (const at of copies) {
      const area = this.b.subarray(at + 4096, at + this.hdrSize);
      area.fill(0);
      area.set(new TextEncoder().encode(text));
      this.reseal(at);
    }
    return this;
  }
  edit(fn: (j: Record<string, any>) => void, copies?: number[]): this {
    const j = this.json();
    fn(j);
    return this.writeJson(JSON.stringify(j), copies);
  }
  /** sha256 over the metadata area with the csum field zeroed (LUKS2 spec, 3.1). */
  reseal(at: number): void {
    const area = this.b.subarray(at, at + this.hdrSize);
    area.fill(0, 448, 512);
    area.set(crypto.createHash('sha256').update(area).digest(), 448);
  }
  open(): LuksContainer {
    return openBytes(this.b);
  }
}

describe('LUKS2 binary headers: the newer valid copy wins', () => {
  const NAME = 'luks2-xts512';

  test('a bad primary checksum: the secondary is used and the data still decrypts', () => {
    const img = new Luks2Image(NAME);
    img.b[448]! ^= 1;
    const c = img.open();
    expect(c.info().header).toBe('secondary');
    expect(sha256(c.unlock(PASS).readAt(0, expectedOf(NAME).payload_size))).toBe(
      expectedOf(NAME).plain_sha256,
    );
  });

  test.each([
    ['magic', (b: Uint8Array) => (b[0] = 0)],
    ['version', (b: Uint8Array) => (b[7] = 9)],
    ['hdr_size', (b: Uint8Array) => (b[13] = 0x11)],
    ['hdr_offset', (b: Uint8Array) => (b[263] = 1)],
    ['JSON byte', (b: Uint8Array) => (b[4100] = 0x7b)],
  ])('a damaged primary %s falls back to the secondary', (_, patch) => {
    const img = new Luks2Image(NAME);
    patch(img.b);
    expect(img.open().info().header).toBe('secondary');
  });

  test('both checksums bad: corrupt, naming the primary header', () => {
    const img = new Luks2Image(NAME);
    img.b[448]! ^= 1;
    img.b[img.hdrSize + 448]! ^= 1;
    expect(kindAndStructure(failure(() => img.open()))).toEqual({
      kind: 'corrupt',
      structure: 'LUKS2 primary header',
    });
  });

  test('no primary signature and a bad secondary: corrupt, naming the secondary', () => {
    const img = new Luks2Image(NAME);
    img.b.fill(0, 0, 8);
    img.b[img.hdrSize + 448]! ^= 1;
    expect(kindAndStructure(failure(() => img.open()))).toEqual({
      kind: 'corrupt',
      structure: 'LUKS2 secondary header',
    });
  });

  test('a newer secondary (higher seqid) is preferred over a valid primary', () => {
    const img = new Luks2Image(NAME);
    const at = img.hdrSize;
    const dv = new DataView(img.b.buffer);
    dv.setBigUint64(at + 16, dv.getBigUint64(16, false) + 1n, false);
    img.b.set(new TextEncoder().encode('relabelled\0'), at + 24);
    img.reseal(at);
    expect(img.open().info()).toMatchObject({ header: 'secondary', label: 'relabelled' });
  });

  test('JSON that does not parse in both copies: corrupt JSON metadata', () => {
    const img = new Luks2Image(NAME).writeJson('{"keyslots": {');
    expect(kindAndStructure(failure(() => img.open()))).toEqual({
      kind: 'corrupt',
      structure: 'LUKS2 JSON metadata',
    });
  });

  test('JSON without a terminating NUL in both copies', () => {
    const img = new Luks2Image(NAME).writeJson('x'.repeat(16384 - 4096));
    expect(failure(() => img.open()).kind).toBe('corrupt');
  });
});

describe('LUKS2 JSON fields (both copies rewritten)', () => {
  const big = '99999999999999999999';
  const cases: [string, string, (j: Record<string, any>) => void, string, string | undefined][] = [
    [
      'keyslot area past the device',
      'luks2-xts512',
      (j) => (j.keyslots['0'].area.offset = String(64 << 20)),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'keyslot area beyond 2^53',
      'luks2-xts512',
      (j) => (j.keyslots['0'].area.offset = big),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'AF stripes 0',
      'luks2-xts512',
      (j) => (j.keyslots['0'].af.stripes = 0),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'AF stripes huge',
      'luks2-xts512',
      (j) => (j.keyslots['0'].af.stripes = 4e9),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'key material larger than its area',
      'luks2-xts512',
      (j) => (j.keyslots['0'].af.stripes = 40000),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'volume key size not an AES-XTS key',
      'luks2-xts512',
      (j) => (j.keyslots['0'].key_size = 20),
      'corrupt',
      'LUKS2 segment 0',
    ],
    [
      'PBKDF2 iterations 0',
      'luks2-xts512',
      (j) => (j.keyslots['0'].kdf.iterations = 0),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'Argon2 memory above 4 GiB',
      'luks2-argon2id',
      (j) => (j.keyslots['0'].kdf.memory = 8 << 20),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'Argon2 memory x time too large',
      'luks2-argon2id',
      (j) => (j.keyslots['0'].kdf.time = 100000),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'Argon2 lanes 0',
      'luks2-argon2id',
      (j) => (j.keyslots['0'].kdf.cpus = 0),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'salt not base64',
      'luks2-argon2id',
      (j) => (j.keyslots['0'].kdf.salt = '!!!'),
      'corrupt',
      'LUKS2 keyslot 0',
    ],
    [
      'keyslot id not a number',
      'luks2-xts512',
      (j) => (j.keyslots.x = j.keyslots['0']),
      'corrupt',
      'LUKS2 JSON metadata',
    ],
    [
      'segment offset inside the keyslots area',
      'luks2-xts512',
      (j) => (j.segments['0'].offset = '65536'),
      'corrupt',
      'LUKS2 segment 0',
    ],
    [
      'segment offset unaligned',
      'luks2-xts512',
      (j) => (j.segments['0'].offset = '1048577'),
      'corrupt',
      'LUKS2 segment 0',
    ],
    [
      'segment sector_size 1000',
      'luks2-xts512',
      (j) => (j.segments['0'].sector_size = 1000),
      'corrupt',
      'LUKS2 segment 0',
    ],
    [
      'segment size past the device',
      'luks2-xts512',
      (j) => (j.segments['0'].size = String(1 << 30)),
      'corrupt',
      'LUKS2 segment 0',
    ],
    [
      'json_size not the area size',
      'luks2-xts512',
      (j) => (j.config.json_size = '4096'),
      'corrupt',
      'LUKS2 config',
    ],
    ['config missing', 'luks2-xts512', (j) => delete j.config, 'corrupt', 'LUKS2 JSON metadata'],
    [
      'digest salt missing',
      'luks2-xts512',
      (j) => delete j.digests['0'].salt,
      'corrupt',
      'LUKS2 digest 0',
    ],
    [
      'a mandatory requirement',
      'luks2-xts512',
      (j) => (j.config.requirements = { mandatory: ['online-reencrypt-v2'] }),
      'unsupported',
      undefined,
    ],
    [
      'two segments',
      'luks2-xts512',
      (j) => (j.segments['1'] = j.segments['0']),
      'unsupported',
      undefined,
    ],
    [
      'dm-integrity',
      'luks2-xts512',
      (j) => (j.segments['0'].integrity = { type: 'hmac(sha256)' }),
      'unsupported',
      undefined,
    ],
  ];
  test.each(cases)('%s (%s)', (_, name, edit, kind, structure) => {
    const img = new Luks2Image(name).edit(edit);
    const e = failure(() => img.open().unlock(PASS));
    expect(e.kind).toBe(kind);
    if (structure) expect(e.structure).toBe(structure);
  });

  test('keyslot area key size wrong for its cipher: corrupt at unlock, naming the keyslot', () => {
    const img = new Luks2Image('luks2-xts512').edit((j) => (j.keyslots['0'].area.key_size = 20));
    const c = img.open();
    expect(kindAndStructure(failure(() => c.unlock(PASS, { keyslot: 0 })))).toEqual({
      kind: 'corrupt',
      structure: 'LUKS2 keyslot 0',
    });
  });

  test('an unknown KDF is unsupported, and does not hide a keyslot that works', () => {
    const img = new Luks2Image('luks2-xts512').edit((j) => (j.keyslots['0'].kdf.type = 'scrypt'));
    const c = img.open();
    expect(failure(() => c.unlock(PASS))).toMatchObject({
      kind: 'unsupported',
      feature: 'LUKS2 kdf scrypt',
    });
    expect(c.unlock(PASS2).keyslot).toBe(1);
  });

  test('a keyslot not bound to the segment by any digest is never tried', () => {
    const img = new Luks2Image('luks2-xts512').edit((j) => (j.digests['0'].keyslots = ['1', '2']));
    const c = img.open();
    expect(failure(() => c.unlock(PASS)).kind).toBe('locked');
    expect(failure(() => c.unlock(PASS, { keyslot: 0 })).kind).toBe('EINVAL');
  });

  test('priority: "ignore" keyslots open only when named', () => {
    const img = new Luks2Image('luks2-xts512').edit((j) => (j.keyslots['0'].priority = 0));
    const c = img.open();
    expect(failure(() => c.unlock(PASS)).kind).toBe('locked');
    expect(c.unlock(PASS, { keyslot: 0 }).keyslot).toBe(0);
  });

  test('iv_tweak is added to the IV sector number (checked with OpenSSL)', () => {
    const e = expectedOf('luks2-xts512');
    const img = new Luks2Image('luks2-xts512').edit((j) => (j.segments['0'].iv_tweak = '1000'));
    const v = img.open().unlock(PASS);
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64LE(1000n + 3n);
    const d = crypto.createDecipheriv('aes-256-xts', Buffer.from(e.volume_key, 'hex'), iv);
    const ct = img.b.subarray(e.payload_offset + 3 * 512, e.payload_offset + 4 * 512);
    const want = Buffer.concat([d.update(ct), d.final()]);
    expect(Buffer.from(v.readAt(3 * 512, 512)).equals(want)).toBe(true);
  });

  test('a damaged keyslot area loses that keyslot only', () => {
    const img = new Luks2Image('luks2-xts512');
    const area = Number(img.json().keyslots['0'].area.offset);
    img.b[area + 4000]! ^= 0x80;
    const c = img.open();
    expect(failure(() => c.unlock(PASS)).kind).toBe('locked');
    expect(c.unlock(PASS2).keyslot).toBe(1);
  });
});
