// The LUKS layer on cryptsetup's own test images (../shared/testdata/cryptsetup, MANIFEST
// section 4), asserting the facts cryptsetup's tests assert (compat-test, compat-test2,
// api-test.c, api-test-2.c, luks1-compat-test). Where cryptsetup here can say more - the
// volume key (luksDump --dump-volume-key) or the header (luksDump) - it is run on the
// same file and the payload decrypted independently with OpenSSL (node:crypto).

import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { probe } from '../../src/engine/fs/probe/registry.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { LuksContainer, prepareLuks } from '../../src/engine/volumes/luks/luks.js';
import { readTestdata, sha256 } from '../helpers/fixtures.js';

beforeAll(() => prepareLuks(), 60_000);

const fromTestdata = (rel: string) => new MemorySource(readTestdata(`cryptsetup/${rel}`), rel);

function failure(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

/** The regular files of a tarball of the testdata (ustar headers: name at 0, octal size at
 * 124), decompressed once into memory. */
const tarballs = new Map<string, Map<string, Uint8Array>>();
function tarFiles(tarball: string): Map<string, Uint8Array> {
  let files = tarballs.get(tarball);
  if (files) return files;
  const tar = readTestdata(`cryptsetup/${tarball}`);
  files = new Map();
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0;) {
    const field = (at: number, len: number) =>
      new TextDecoder().decode(tar.subarray(off + at, off + at + len)).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (field(156, 1) === '0' || field(156, 1) === '') {
      files.set(path.basename(field(0, 100)), tar.subarray(off + 512, off + 512 + size));
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  tarballs.set(tarball, files);
  return files;
}

/** One member of a tarball of the testdata (a copy: tests may not share mutable bytes). */
function tarMember(tarball: string, member: string): Uint8Array {
  const bytes = tarFiles(tarball).get(member);
  if (!bytes) throw new Error(`${member} not in ${tarball}`);
  return bytes.slice();
}

/** The file names in a tarball of the testdata. */
const tarNames = (tarball: string) => [...tarFiles(tarball).keys()];

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes bytes to a temporary file for cryptsetup (it reads files, not memory). */
function tempFile(bytes: Uint8Array): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-luks-'));
  tempDirs.push(d);
  const f = path.join(d, 'img');
  fs.writeFileSync(f, bytes);
  return f;
}

const cryptsetup = (...args: string[]) =>
  execFileSync('cryptsetup', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The volume key by `cryptsetup luksDump --dump-volume-key`. */
function volumeKey(file: string, keyFile: string): Buffer {
  const out = cryptsetup('luksDump', '-q', '--dump-volume-key', '--key-file', keyFile, file);
  const hex = out
    .slice(out.search(/MK dump:|Volume key:/))
    .match(/\b[0-9a-f]{2}\b/g)!
    .join('');
  return Buffer.from(hex, 'hex');
}

/** dm-crypt decryption of a whole payload by OpenSSL: aes-xts-plain64 or aes-cbc-essiv:sha256. */
function opensslDecrypt(cipher: string, key: Buffer, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const essiv = cipher.endsWith('essiv:sha256')
    ? crypto.createHash('sha256').update(key).digest()
    : undefined;
  for (let s = 0; s * 512 < payload.length; s++) {
    let iv = Buffer.alloc(16);
    iv.writeBigUInt64LE(BigInt(s));
    if (essiv)
      iv = crypto.createCipheriv('aes-256-ecb', essiv, null).setAutoPadding(false).update(iv);
    const name = cipher.includes('xts') ? `aes-${key.length * 4}-xts` : `aes-${key.length * 8}-cbc`;
    const d = crypto.createDecipheriv(name, key, iv).setAutoPadding(false);
    parts.push(d.update(payload.subarray(s * 512, (s + 1) * 512)), d.final());
  }
  return Buffer.concat(parts);
}

describe('compatimage.img (api-test.c UseLuksDevice, compat-test)', () => {
  test('header: LUKS1 aes cbc-essiv:sha256, 16-byte key, data at sector 1032', () => {
    expect(LuksContainer.open(fromTestdata('compatimage.img.xz')).info()).toMatchObject({
      version: 1,
      uuid: '28632274-8c8a-493f-835b-da802e1c576b',
      cipher: 'aes-cbc-essiv:sha256',
      key_size: 128,
      payload_offset: 1032 * 512,
    });
  });

  test('compatkey opens it; sha256 of the decrypted device is the one compat-test expects', () => {
    const v = LuksContainer.open(fromTestdata('compatimage.img.xz')).unlock('compatkey');
    expect(sha256(v.readAt(0, v.size))).toBe(
      '7428e8f2436882a07eb32765086f5c899474c08b5576f556b573d2aabdf923e8',
    );
  });

  test('a wrong passphrase fails as locked', () => {
    const c = LuksContainer.open(fromTestdata('compatimage.img.xz'));
    expect(failure(() => c.unlock('compatkeY')).kind).toBe('locked');
  });
});

test('compatv10image.img (LUKS1 v1.0 header, first keyslot unaligned): sha1 of the device', () => {
  const v = LuksContainer.open(fromTestdata('compatv10image.img.xz')).unlock('compatkey');
  const sha1 = crypto.createHash('sha1').update(v.readAt(0, v.size)).digest('hex');
  expect(sha1).toBe('51b48c2471a7593ceaf14dc5e66bca86ed05f6cc');
});

describe('compatimage2.img (api-test-2.c UseLuks2Device)', () => {
  test('LUKS2 aes cbc-essiv:sha256, 16-byte key, data at sector 8192', () => {
    expect(LuksContainer.open(fromTestdata('compatimage2.img.xz')).info()).toMatchObject({
      version: 2,
      uuid: '28632274-8c8a-493f-835b-da802e1c576b',
      cipher: 'aes-cbc-essiv:sha256',
      key_size: 128,
      payload_offset: 8192 * 512,
      kdf: ['pbkdf2', 'argon2id'],
    });
  });

  test('keyslot 0 (PBKDF2) opens with compatkey, keyslot 1 (Argon2id) with 0123456789abcdef', () => {
    const c = LuksContainer.open(fromTestdata('compatimage2.img.xz'));
    const a = c.unlock('compatkey');
    const b = c.unlock('0123456789abcdef');
    expect([a.keyslot, b.keyslot]).toEqual([0, 1]);
    // Both keyslots hold the same volume key: check it against cryptsetup and OpenSSL.
    const file = tempFile(readTestdata('cryptsetup/compatimage2.img.xz'));
    const key = volumeKey(file, tempFile(new TextEncoder().encode('compatkey')));
    const payload = readTestdata('cryptsetup/compatimage2.img.xz').subarray(8192 * 512);
    const want = opensslDecrypt('aes-cbc-essiv:sha256', key, payload).toString('hex');
    expect(Buffer.from(a.readAt(0, a.size)).toString('hex')).toBe(want);
    expect(Buffer.from(b.readAt(0, b.size)).toString('hex')).toBe(want);
  });
});

describe('luks1-images.tar.xz (luks1-compat-test): every image opens with keyfile1', () => {
  // Images whose cipher guestkit does not implement: none - all twelve decrypt.
  const UNSUPPORTED: string[] = [];
  const TAR = 'luks1-images.tar.xz';
  const keyfile = () => tarMember(TAR, 'keyfile1');
  const images = [
    'luks1_aes-cbc-essiv-sha256-sha1.img',
    'luks1_aes-lrw-plain64-sha1.img',
    'luks1_aes-xts-essiv-wp256-whirlpool.img',
    'luks1_aes-xts-plain64-sha1.img',
    'luks1_aes-xts-plain64-sha256.img',
    'luks1_aes-xts-plain64-whirlpool.img',
    'luks1_serpent-xts-plain64-sha1.img',
    'luks1_serpent-xts-plain64-sha256.img',
    'luks1_serpent-xts-plain64-whirlpool.img',
    'luks1_twofish-xts-plain64-sha1.img',
    'luks1_twofish-xts-plain64-sha256.img',
    'luks1_twofish-xts-plain64-whirlpool.img',
  ];

  test('the tarball holds exactly these images', () => {
    expect(
      tarNames(TAR)
        .filter((f) => f.endsWith('.img'))
        .sort(),
    ).toEqual(images);
  });

  test.each(images)('%s decrypts to a FAT volume with id DEAD-BABE', (img) => {
    const key = keyfile();
    const c = LuksContainer.open(new MemorySource(tarMember(TAR, img)));
    const [, cipher, mode, iv, hash] =
      /^luks1_(\w+)-(\w+)-([\w-]+?)-(sha1|sha256|whirlpool)\.img$/.exec(img)!;
    expect(c.cipher).toBe(`${cipher}-${mode}-${iv!.replace('essiv-', 'essiv:')}`);
    expect(c.info().hash).toBe(hash);
    if (UNSUPPORTED.includes(img)) {
      expect(failure(() => c.unlock(key))).toMatchObject({ kind: 'unsupported' });
      return;
    }
    const v = c.unlock(key);
    expect(probe(v)).toMatchObject({ type: 'vfat', uuid: 'DEAD-BABE' });
  });

  test.each([
    'luks1_aes-xts-plain64-sha1.img',
    'luks1_aes-xts-plain64-sha256.img',
    'luks1_aes-xts-plain64-whirlpool.img',
    'luks1_aes-cbc-essiv-sha256-sha1.img',
  ])('%s: the whole payload equals OpenSSL decrypting with the key cryptsetup dumps', (img) => {
    const bytes = tarMember(TAR, img);
    const c = LuksContainer.open(new MemorySource(bytes));
    const v = c.unlock(keyfile());
    const key = volumeKey(tempFile(bytes), tempFile(keyfile()));
    const payload = bytes.subarray(Number(c.info().payload_offset));
    expect(sha256(v.readAt(0, v.size))).toBe(sha256(opensslDecrypt(c.cipher, key, payload)));
  });
});

describe('luks2_mda_images (compat-test2 [39]): metadata areas of 16 KiB to 4 MiB', () => {
  const sizes = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
  test.each(sizes)('test_image_%i opens with Qx3qn46vq0v and decrypts as OpenSSL does', (kib) => {
    const bytes = tarMember('luks2_mda_images.tar.xz', `test_image_${kib}`);
    const file = tempFile(bytes);
    const c = LuksContainer.open(new MemorySource(bytes));
    expect(c.info()).toMatchObject({
      version: 2,
      uuid: 'f453a131-2739-4fbb-af7e-963f442ad433',
      cipher: 'aes-xts-plain64',
    });
    const v = c.unlock('Qx3qn46vq0v');
    const key = volumeKey(file, tempFile(new TextEncoder().encode('Qx3qn46vq0v')));
    const payload = bytes.subarray(Number(c.info().payload_offset));
    expect(sha256(v.readAt(0, v.size))).toBe(
      sha256(opensslDecrypt('aes-xts-plain64', key, payload)),
    );
  });
});

describe('evil_hdr-* (api-test.c: header restore must fail): corrupt, as cryptsetup finds', () => {
  test.each([
    'evil_hdr-keyslot_overlap',
    'evil_hdr-luks_hdr_damage',
    'evil_hdr-payload_overwrite',
    'evil_hdr-stripes_payload_dmg',
    'evil_hdr-small_luks_device',
  ])('%s', (name) => {
    const bytes = readTestdata(`cryptsetup/${name}.xz`);
    const e = failure(() => LuksContainer.open(new MemorySource(bytes)));
    expect(e.kind).toBe('corrupt');
    // cryptsetup's luksDump names the keyslot it rejects ("LUKS keyslot N is invalid") or
    // says the device is too small for the header: the same structure must be at fault.
    let said = '';
    try {
      cryptsetup('luksDump', tempFile(bytes));
    } catch (x) {
      said = String((x as { stderr?: string }).stderr);
    }
    const slot = /LUKS keyslot (\d) is invalid/.exec(said);
    expect(e.structure).toBe(slot ? `LUKS1 keyslot ${slot[1]}` : 'LUKS1 header');
    if (!slot) expect(said).toMatch(/too small/);
  });
});

test('luks2_valid_hdr.img (luks2-validation-test): the header parses as luksDump reads it', () => {
  const bytes = readTestdata('cryptsetup/luks2_valid_hdr.img.xz');
  const c = LuksContainer.open(new MemorySource(bytes));
  const meta = JSON.parse(cryptsetup('luksDump', '--dump-json-metadata', tempFile(bytes)));
  const uuid = /UUID:\s+(\S+)/.exec(cryptsetup('luksDump', tempFile(bytes)))![1];
  expect(c.info()).toMatchObject({
    version: 2,
    uuid,
    cipher: meta.segments['0'].encryption,
    payload_offset: Number(meta.segments['0'].offset),
    keyslots: Object.keys(meta.keyslots).sort(),
    kdf: Object.keys(meta.keyslots)
      .sort()
      .map((k) => meta.keyslots[k].kdf.type),
  });
  // Its KDF is spelled "argon2", a name from before LUKS2 settled on argon2i/argon2id.
  expect(failure(() => c.unlock('anything'))).toMatchObject({
    kind: 'unsupported',
    feature: 'LUKS2 kdf argon2',
  });
});

test('valid_header_file (api-test.c: restore succeeds): the LUKS1 header parses', () => {
  const bytes = readTestdata('cryptsetup/valid_header_file.xz');
  const c = LuksContainer.open(new MemorySource(bytes));
  const dump = cryptsetup('luksDump', tempFile(bytes));
  const field = (name: string) => new RegExp(`^${name}:\\s+(.+)$`, 'm').exec(dump)![1]!.trim();
  expect(c.info()).toMatchObject({
    version: 1,
    uuid: field('UUID'),
    cipher: `${field('Cipher name')}-${field('Cipher mode')}`,
    hash: field('Hash spec'),
    payload_offset: Number(field('Payload offset')) * 512,
    key_size: Number(field('MK bits')),
    keyslots: [],
  });
  expect(failure(() => c.unlock('anything')).kind).toBe('locked');
});

describe('blkid-luks2-pv.img (compat-test2 [28]): LUKS2 secondary header, LVM label in the primary', () => {
  test('refused like cryptsetup refuses (ambiguous signatures), naming the primary header', () => {
    const bytes = readTestdata('cryptsetup/blkid-luks2-pv.img.xz');
    expect(() => cryptsetup('isLuks', tempFile(bytes))).toThrow();
    const e = failure(() => LuksContainer.open(new MemorySource(bytes)));
    expect([e.kind, e.structure]).toEqual(['corrupt', 'LUKS2 primary header']);
  });

  test('after `cryptsetup repair` it is LUKS2 with the UUID luksDump shows', () => {
    const file = tempFile(readTestdata('cryptsetup/blkid-luks2-pv.img.xz'));
    cryptsetup('repair', '-q', file);
    const uuid = /UUID:\s+(\S+)/.exec(cryptsetup('luksDump', file))![1];
    const c = LuksContainer.open(new MemorySource(new Uint8Array(fs.readFileSync(file))));
    expect(c.info()).toMatchObject({ version: 2, uuid });
  });
});
