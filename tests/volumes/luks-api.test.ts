// The libguestfs-action helpers of the LUKS layer: cryptsetup_open/luks_open(_ro),
// cryptsetup_close/luks_close, luks_uuid, list_dm_devices and the virt tools' --key
// store. Expected behaviour is libguestfs' (daemon/luks.c, libguestfs-common
// options/keys.c and options/decrypt.c, including the examples in their comments);
// volumes are the cryptsetup-made fixtures, checked against the plaintext sha256 and
// blkid's UUID that fixtures/build-luks.sh recorded.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import {
  LuksMappings,
  decryptMapname,
  keysForDevice,
  listDmDevices,
  luksUuid,
  lvMapperName,
  mapnameOf,
  openWithKeys,
  parseKeySelector,
  unescapeLvId,
  validateMapname,
  type KeySpec,
} from '../../src/engine/volumes/luks/api.js';
import { prepareLuks } from '../../src/engine/volumes/luks/luks.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = ensureFixture('luks');
  await prepareLuks();
}, 120_000);

const PASS = 'correct horse battery staple';
const member = (name: string, device = '/dev/sda2') => ({
  name: device,
  source: new MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, `${name}.img`)))),
});
const expected = (name: string) =>
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

describe('cryptsetup_open / cryptsetup_close', () => {
  test('open makes /dev/mapper/NAME whose bytes are the plaintext; close removes it', () => {
    const m = new LuksMappings();
    const dev = m.open({ device: member('luks2-xts512'), key: PASS, mapname: 'secret' });
    expect([dev.name, dev.kind, dev.members]).toEqual([
      '/dev/mapper/secret',
      'luks',
      ['/dev/sda2'],
    ]);
    expect(dev.info).toMatchObject({ uuid: expected('luks2-xts512').uuid, keyslot_used: 0 });
    expect(sha256(dev.source.readAt(0, dev.source.size))).toBe(
      expected('luks2-xts512').plain_sha256,
    );
    expect(m.get('/dev/mapper/secret')).toBe(dev);
    expect(m.mapnames()).toEqual(['secret']);
    m.close('/dev/mapper/secret');
    expect(m.get('/dev/mapper/secret')).toBeUndefined();
    expect(m.devices()).toEqual([]);
  });

  test('errors as libguestfs reports them', () => {
    const m = new LuksMappings();
    m.open({ device: member('luks2-xts512'), key: PASS, mapname: 'one' });
    const again = () =>
      m.open({ device: member('luks2-4k', '/dev/sdb1'), key: PASS, mapname: 'one' });
    expect(failure(again).kind).toBe('EEXIST');
    const twice = () => m.open({ device: member('luks2-xts512'), key: PASS, mapname: 'two' });
    expect(failure(twice).kind).toBe('EINVAL');
    const wrong = () =>
      m.open({ device: member('luks2-4k', '/dev/sdc1'), key: 'nope', mapname: 'three' });
    expect(failure(wrong).kind).toBe('locked');
    expect(m.mapnames()).toEqual(['one']);
    expect(failure(() => m.close('/dev/sda2')).kind).toBe('EINVAL');
    expect(failure(() => m.close('/dev/mapper/nothing')).kind).toBe('ENOENT');
    const bitlk = () =>
      m.open({
        device: member('luks2-4k', '/dev/sdd1'),
        key: PASS,
        mapname: 'b',
        crypttype: 'bitlk',
      });
    expect(failure(bitlk).kind).toBe('unsupported');
    const plain = { name: '/dev/sde1', source: new MemorySource(new Uint8Array(1 << 20)) };
    expect(failure(() => m.open({ device: plain, key: PASS, mapname: 'p' })).kind).toBe('EINVAL');
  });

  test('luks_open_ro gives a device without writeAt; luks_open over a writable source has one', () => {
    const m = new LuksMappings();
    const src = member('luks2-4k');
    const writable = {
      name: '/dev/sdb1',
      source: {
        ...src.source,
        size: src.source.size,
        readAt: src.source.readAt.bind(src.source),
        writeAt: () => {},
      },
    };
    expect(
      m.open({ device: src, key: PASS, mapname: 'ro', readonly: true }).source.writeAt,
    ).toBeUndefined();
    expect(m.open({ device: writable, key: PASS, mapname: 'rw' }).source.writeAt).toBeTypeOf(
      'function',
    );
  });

  test('a key file (bytes) opens its keyslot', () => {
    const m = new LuksMappings();
    const key = new Uint8Array(fs.readFileSync(path.join(dir, 'luks1-aes-xts-plain64.keyfile')));
    const dev = m.open({ device: member('luks1-aes-xts-plain64'), key, mapname: 'kf' });
    expect(dev.info.keyslot_used).toBe(2);
  });
});

test('luks_uuid is the UUID blkid reads; a device without LUKS is EINVAL', () => {
  for (const name of ['luks2-xts512', 'luks1-aes-cbc-essiv-sha256']) {
    expect(luksUuid('/dev/sda1', member(name).source)).toBe(expected(name).uuid);
  }
  expect(failure(() => luksUuid('/dev/sda1', new MemorySource(new Uint8Array(4096)))).kind).toBe(
    'EINVAL',
  );
});

describe('names', () => {
  test('map names: no slash, not control, at most 127 bytes', () => {
    for (const ok of ['secret', 'luks-28632274-8c8a-493f-835b-da802e1c576b', 'a'.repeat(127)]) {
      expect(() => validateMapname(ok)).not.toThrow();
    }
    for (const bad of ['', 'a/b', 'control', '.', '..', 'a'.repeat(128)]) {
      expect(failure(() => validateMapname(bad)).kind).toBe('EINVAL');
    }
    expect(mapnameOf('/dev/mapper/x')).toBe('x');
    expect(failure(() => mapnameOf('/dev/sda1')).kind).toBe('EINVAL');
  });

  test('list_dm_devices: LUKS mappings and LVs (hyphens doubled), sorted', () => {
    expect(lvMapperName('vg-ssd', 'lv-root7')).toBe('/dev/mapper/vg--ssd-lv--root7');
    expect(listDmDevices(['cryptsda2', 'luks-1'], [{ vg: 'vg', lv: 'root' }])).toEqual([
      '/dev/mapper/cryptsda2',
      '/dev/mapper/luks-1',
      '/dev/mapper/vg-root',
    ]);
  });

  test('decrypted map names as decrypt.c makes them (its own examples)', () => {
    expect(decryptMapname('/dev/vda2')).toBe('cryptvda2');
    expect(decryptMapname('/dev/vg-ssd/lv-root7')).toBe('cryptvgssdlvroot7');
    expect(decryptMapname('/dev/vg/lv', 'abcd', true)).toBe('luks-abcd');
    expect(decryptMapname('/dev/sda2', undefined, true)).toBe('cryptsda2');
  });
});

describe('--key selectors (keys.c)', () => {
  test('the three types and their field counts', () => {
    expect(parseKeySelector('/dev/sda2:key:secret')).toEqual({
      id: '/dev/sda2',
      type: 'key',
      value: 'secret',
    });
    expect(parseKeySelector('all:file:/tmp/k')).toEqual({
      id: 'all',
      type: 'file',
      file: '/tmp/k',
    });
    expect(parseKeySelector('/dev/sda2:clevis')).toEqual({ id: '/dev/sda2', type: 'clevis' });
    for (const bad of [
      '',
      ':key:x',
      'dev',
      'dev:key',
      'dev:key:a:b',
      'dev:file',
      'dev:clevis:x',
      'dev:pin:1',
    ]) {
      expect(failure(() => parseKeySelector(bad)).kind).toBe('EINVAL');
    }
  });

  test('a malformed selector never puts its passphrase in the error', () => {
    const e = failure(() => parseKeySelector('/dev/sda2:key:hunter2:extra'));
    expect(e.kind).toBe('EINVAL');
    expect(JSON.stringify(e.toJSON())).not.toContain('hunter2');
    expect(e.message).not.toContain('hunter2');
  });

  test('/dev/mapper/VG-LV ids become /dev/VG/LV', () => {
    expect(unescapeLvId('/dev/mapper/vg--ssd-lv--root7')).toBe('/dev/vg-ssd/lv-root7');
    expect(unescapeLvId('/dev/mapper/a---b')).toBe('/dev/a-/b');
    expect(parseKeySelector('/dev/mapper/vg-root:key:k').id).toBe('/dev/vg/root');
    for (const kept of [
      '/dev/mapper/nohyphen',
      '/dev/mapper/-x',
      '/dev/mapper/x-',
      '/dev/mapper/a-b-c',
      '/dev/sda1',
    ]) {
      expect(unescapeLvId(kept)).toBe(kept);
    }
  });

  test('keys for a device: its name, its UUID or all, in order; files give their first line', () => {
    const specs: KeySpec[] = [
      '/dev/sda1:key:one',
      'all:key:two',
      'UUID-X:file:k.txt',
      '/dev/sdb1:key:no',
    ].map(parseKeySelector);
    const read = (f: string) => new TextEncoder().encode(f === 'k.txt' ? 'three\nignored\n' : '');
    expect(keysForDevice(specs, '/dev/sda1', 'UUID-X', read)).toEqual(['one', 'two', 'three']);
    expect(keysForDevice(specs, '/dev/sdc1', undefined, read)).toEqual(['two']);
    expect(
      failure(() => keysForDevice([parseKeySelector('all:clevis')], '/dev/sda1', 'u', read)).kind,
    ).toBe('unsupported');
  });

  test('inspection decryption tries each matching key and names the mapping', () => {
    const m = new LuksMappings();
    const specs = ['all:key:wrong', `/dev/sda2:key:${PASS}`].map(parseKeySelector);
    const dev = openWithKeys(m, member('luks2-argon2id'), specs, {
      readFile: () => new Uint8Array(),
    });
    expect(dev.name).toBe('/dev/mapper/cryptsda2');
    const lv = openWithKeys(
      m,
      member('luks2-4k', '/dev/vg/lv'),
      [parseKeySelector(`all:key:${PASS}`)],
      {
        byUuid: true,
        readFile: () => new Uint8Array(),
      },
    );
    expect(lv.name).toBe(`/dev/mapper/luks-${expected('luks2-4k').uuid}`);
    const none = () =>
      openWithKeys(m, member('luks2-xts512', '/dev/sdz1'), specs.slice(0, 1), {
        readFile: () => new Uint8Array(),
      });
    expect(failure(none)).toMatchObject({ kind: 'locked', path: '/dev/sdz1' });
  });
});
