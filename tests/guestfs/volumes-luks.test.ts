// LUKS through the Guestfs handle (fixtures/build-luks.sh: images encrypted offline by
// cryptsetup). Expected values: the fixture's expected/NAME.json (luksDump and blkid -p of
// the LUKS image, sha256sum of the plaintext, the passphrases given to cryptsetup),
// blkid -p of the plaintext filesystem, the file the script wrote into it, and what
// libguestfs 1.48 does around an encrypted disk (list_filesystems leaves the container
// out and lists the /dev/mapper device once it is open: checked in its appliance).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture, sha256, testdataFile } from '../helpers/fixtures.js';
import { launched, thrown } from './helpers.js';

const dir = ensureFixture('luks');
const file = (rel: string) => path.join(dir, rel);
const json = <T>(rel: string): T => JSON.parse(fs.readFileSync(file(rel), 'utf8')) as T;

interface LuksExpected {
  uuid: string;
  payload_size: number;
  plain_sha256: string;
  keys: { kind: string; value?: string; keyslot: number }[];
}
const xts = json<LuksExpected>('expected/luks2-xts512.json');
const plain = json<Record<string, string>>('expected/plain.json');
const [PASS1, PASS2] = xts.keys.filter((k) => k.kind === 'passphrase').map((k) => k.value!);

const handles: Guestfs[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});
async function open(img: string, log?: string[]): Promise<Guestfs> {
  const f = path.isAbsolute(img) ? img : file(img);
  const g = await launched([f], new NodeEnvironment((l) => log?.push(l)));
  handles.push(g);
  return g;
}

describe('cryptsetup_open on a whole-disk LUKS2 image', () => {
  it('the container is no filesystem; luks_uuid reads the header without a key', async () => {
    const g = await open('luks2-xts512.img');
    expect(g.vfs_type('/dev/sda')).toBe('crypto_LUKS');
    expect(g.list_filesystems()).toEqual({});
    expect(g.luks_uuid('/dev/sda')).toBe(xts.uuid);
    expect(g.list_dm_devices()).toEqual([]);
  });

  it('a wrong passphrase is locked and opens nothing', async () => {
    const g = await open('luks2-xts512.img');
    expect(thrown(() => g.cryptsetup_open('/dev/sda', 'not the passphrase', 'lk')).kind).toBe(
      'locked',
    );
    expect(g.list_dm_devices()).toEqual([]);
    expect(thrown(() => g.vfs_type('/dev/mapper/lk')).kind).toBe('ENOENT');
  });

  it('the right one makes /dev/mapper/NAME: the plaintext, its filesystem, its files', async () => {
    const g = await open('luks2-xts512.img');
    g.cryptsetup_open('/dev/sda', PASS1!, 'lk');
    expect(g.list_dm_devices()).toEqual(['/dev/mapper/lk']);
    expect(g.blockdev_getsize64('/dev/mapper/lk')).toBe(xts.payload_size);
    const src = g.device('/dev/mapper/lk', 'test').source;
    expect(sha256(src.readAt(0, src.size))).toBe(xts.plain_sha256);
    expect([g.vfs_type('/dev/mapper/lk'), g.vfs_label('/dev/mapper/lk')]).toEqual([
      plain.TYPE,
      plain.LABEL,
    ]);
    expect(g.vfs_uuid('/dev/mapper/lk')).toBe(plain.UUID);
    expect(g.list_filesystems()).toEqual({ '/dev/mapper/lk': plain.TYPE });
    await g.prepareFilesystems();
    g.mount_ro('/dev/mapper/lk', '/');
    expect(g.cat('/hello.txt')).toBe('hello from inside LUKS\n');
    expect(thrown(() => g.cryptsetup_close('/dev/mapper/lk')).kind).toBe('EBUSY');
    g.umount_all();
    g.cryptsetup_close('/dev/mapper/lk');
    expect(g.list_dm_devices()).toEqual([]);
    expect(thrown(() => g.cryptsetup_close('/dev/mapper/lk')).kind).toBe('ENOENT');
    expect(thrown(() => g.cryptsetup_close('/dev/sda')).kind).toBe('EINVAL');
  });

  it('the inventory shows the mapping over its container, with the cipher and no key', async () => {
    const g = await open('luks2-xts512.img');
    g.luks_open('/dev/sda', PASS2!, 'second');
    const d = g.inventory().devices.find((x) => x.name === '/dev/mapper/second')!;
    expect(d).toMatchObject({ kind: 'luks', members: ['/dev/sda'], size: xts.payload_size });
    expect(d.volume).toMatchObject({ uuid: xts.uuid, cipher: 'aes-xts-plain64', keyslot_used: 1 });
    expect(d.fs).toMatchObject({ type: plain.TYPE, label: plain.LABEL, uuid: plain.UUID });
    expect(JSON.stringify(g.inventory())).not.toContain(PASS2);
  });

  it('cryptsetup checks: existing map name, device in use, bad name, crypttype', async () => {
    const g = await open('luks2-xts512.img');
    g.luks_open_ro('/dev/sda', PASS1!, 'ro');
    expect(thrown(() => g.cryptsetup_open('/dev/sda', PASS1!, 'ro')).kind).toBe('EEXIST');
    expect(thrown(() => g.cryptsetup_open('/dev/sda', PASS1!, 'again')).kind).toBe('EINVAL');
    expect(thrown(() => g.cryptsetup_open('/dev/mapper/ro', PASS1!, 'x')).kind).toBe('EINVAL');
    g.luks_close('/dev/mapper/ro');
    expect(thrown(() => g.cryptsetup_open('/dev/sda', PASS1!, 'control')).kind).toBe('EINVAL');
    const e = thrown(() => g.cryptsetup_open('/dev/sda', PASS1!, 'b', { crypttype: 'bitlk' }));
    expect(e.kind).toBe('unsupported');
  });

  it('trace prints the key as *** (as libguestfs prints Key arguments); errors never hold it', async () => {
    const log: string[] = [];
    const g = await open('luks2-xts512.img', log);
    g.set_trace(true);
    thrown(() => g.call('cryptsetup_open', ['/dev/sda', 'wrong horse', 'lk'], {}));
    g.call('cryptsetup_open', ['/dev/sda', PASS1, 'lk'], { readonly: true });
    g.call('luks_close', ['/dev/mapper/lk']);
    g.call('luks_open', ['/dev/sda', PASS2, 'lk2']);
    const all = log.join('\n');
    expect(log).toContain('libguestfs: trace: cryptsetup_open "/dev/sda" "***" "lk"');
    expect(log).toContain('libguestfs: trace: luks_open "/dev/sda" "***" "lk2"');
    for (const secret of [PASS1!, PASS2!, 'wrong horse']) expect(all).not.toContain(secret);
  });
});

describe('other LUKS kinds through the handle', () => {
  it('LUKS1 (cbc-essiv) and LUKS2 with Argon2id (prepareVolumes loads the module and every driver)', async () => {
    for (const name of ['luks1-aes-cbc-essiv-sha256', 'luks2-argon2id']) {
      const want = json<LuksExpected>(`expected/${name}.json`);
      const g = await open(`${name}.img`);
      await g.prepareVolumes();
      g.cryptsetup_open('/dev/sda', want.keys[0]!.value!, 'v');
      const src = g.device('/dev/mapper/v', 'test').source;
      expect(sha256(src.readAt(0, src.size)), name).toBe(want.plain_sha256);
    }
  });

  it('cryptsetup_open_async: the WebCrypto path, with progress per keyslot', async () => {
    const g = await open('luks2-xts512.img');
    await expect(g.cryptsetup_open_async('/dev/sda', 'nope', 'async')).rejects.toMatchObject({
      kind: 'locked',
    });
    const seen: number[] = [];
    await g.cryptsetup_open_async('/dev/sda', PASS2!, 'async', {
      onProgress: (p) => seen.push(p.keyslot),
    });
    expect(g.list_dm_devices()).toEqual(['/dev/mapper/async']);
    expect(g.vfs_uuid('/dev/mapper/async')).toBe(plain.UUID);
    expect(seen).toContain(1);
  });

  it('decrypt_disks (the virt tools’ --key): opens what a key matches, names it cryptsda', async () => {
    const g = await open('luks2-xts512.img');
    const readFile = (f: string) => new Uint8Array(fs.readFileSync(f));
    expect(g.decrypt_disks([], { readFile })).toEqual({ opened: [], skipped: ['/dev/sda'] });
    const wrong = thrown(() =>
      g.decrypt_disks([{ id: 'all', type: 'key', value: 'wrong' }], { readFile }),
    );
    expect(wrong.kind).toBe('locked');
    const r = g.decrypt_disks(
      [
        { id: '/dev/sdb', type: 'key', value: 'not for this disk' },
        { id: xts.uuid, type: 'key', value: 'wrong first' },
        { id: 'all', type: 'key', value: PASS1! },
      ],
      { readFile },
    );
    expect(r).toEqual({ opened: ['/dev/mapper/cryptsda'], skipped: [] });
    expect(g.vfs_label('/dev/mapper/cryptsda')).toBe(plain.LABEL);
  });

  it('non-LUKS devices: cryptsetup_open says what blkid found', async () => {
    const g = await open('plain4.img');
    const e = thrown(() => g.cryptsetup_open('/dev/sda', 'x', 'p'));
    expect([e.kind, e.message]).toEqual(['EINVAL', expect.stringContaining('ext4')]);
  });
});

describe('cryptsetup’s blkid-luks2-pv.img: a LUKS2 header that also carries an LVM2 label', () => {
  it('LVM activates it, as the appliance’s lvm2 would; cryptsetup_open refuses it', async () => {
    const g = await open(testdataFile('cryptsetup/blkid-luks2-pv.img.xz'));
    expect(g.vfs_type('/dev/sda')).toBe('LVM2_member');
    expect(g.pvs()).toEqual(['/dev/sda']);
    expect(g.vgs()).toEqual(['vg00']);
    expect(g.list_filesystems()).not.toHaveProperty('/dev/sda');
    const e = thrown(() => g.cryptsetup_open('/dev/sda', 'x', 'p'));
    expect([e.kind, e.message]).toEqual(['EINVAL', expect.stringContaining('LVM2_member')]);
  });
});
