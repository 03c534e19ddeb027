// Volume layers stacked (fixtures/build-stacks.sh): LVM on LUKS, LUKS on LVM, LVM on an md
// RAID1 of two partitions, a filesystem on a whole disk. Each stack through the handle
// against what libguestfs answered in its appliance for the same disks and the same calls
// (expected/libguestfs/STACK/*.txt: luks_open with the passphrase, then lvm_scan true),
// blkid -p of the plaintext filesystems the script wrote, and the files in them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { launched, thrown } from './helpers.js';

const dir = ensureFixture('stacks');
const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);
const blkid = (fsName: string) =>
  JSON.parse(text(`expected/blkid/${fsName}.json`)) as Record<string, string>;
const keys = JSON.parse(text('expected/keys.json')) as Record<
  string,
  { device: string; passphrase: string; uuid: string }
>;

/** guestfish's "key: value" lines (hashtables) and "[n] = {" struct lists. */
function hashtable(rel: string): Record<string, string> {
  return Object.fromEntries(
    lines(rel).map((l) => l.split(/: ?(.*)/s).slice(0, 2) as [string, string]),
  );
}
function structs(rel: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text(rel).split('\n')) {
    if (/^\[\d+\] = \{/.test(line)) out.push({});
    const m = /^ {2}(\w+): ?(.*)$/.exec(line);
    if (m) out.at(-1)![m[1]!] = m[2]!;
  }
  return out;
}
const strings = (o: object) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

const handles: Guestfs[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});
async function open(...images: string[]): Promise<Guestfs> {
  const g = await launched(images.map(file));
  handles.push(g);
  return g;
}

/** The LVM answers every session recorded, compared one by one. */
function sameLvm(g: Guestfs, lg: string, vg: string, lvs: string[]): void {
  expect(g.lvs()).toEqual(lines(`${lg}/lvs.txt`));
  expect(g.vgs()).toEqual(lines(`${lg}/vgs.txt`));
  expect(g.pvs()).toEqual(lines(`${lg}/pvs.txt`));
  expect(g.pvs_full().map(strings)).toEqual(structs(`${lg}/pvs-full.txt`));
  expect(g.vgs_full().map(strings)).toEqual(structs(`${lg}/vgs-full.txt`));
  expect(g.vgpvuuids(vg)).toEqual(lines(`${lg}/vgpvuuids.txt`));
  expect(g.vguuid(vg)).toBe(text(`${lg}/vguuid.txt`).trim());
  for (const lv of lvs) {
    expect(g.lvuuid(`/dev/${vg}/${lv}`)).toBe(text(`${lg}/lvuuid-${lv}.txt`).trim());
    expect(g.blockdev_getsize64(`/dev/${vg}/${lv}`)).toBe(Number(text(`${lg}/size-${lv}.txt`)));
  }
}

/** "/dev/x: type" lines of list-filesystems, in order. */
const listfs = (rel: string) => Object.entries(hashtable(rel));

describe('LVM on LUKS (GPT partition 1 is LUKS2, its plaintext a PV)', () => {
  const lg = 'expected/libguestfs/lvm-on-luks';
  const k = keys['lvm-on-luks']!;

  it('before the key: no filesystem, no LVM; the container’s UUID', async () => {
    const g = await open('lvm-on-luks.qcow2');
    expect(g.list_filesystems()).toEqual({});
    expect(g.lvs()).toEqual([]);
    expect(g.luks_uuid(k.device)).toBe(text(`${lg}/luks-uuid.txt`).trim());
  });

  it('luks_open: lvs lists the LVs at once, lvm_scan true makes them devices', async () => {
    const g = await open('lvm-on-luks.qcow2');
    g.luks_open(k.device, k.passphrase, 'cryptsda1');
    expect(g.lvs()).toEqual(lines(`${lg}/lvs-before-scan.txt`));
    expect(thrown(() => g.vfs_type('/dev/vgcrypt/root')).kind).toBe('ENOENT');
    expect(g.inventory().volumeGroups).toMatchObject([{ name: 'vgcrypt', active: false }]);
    g.lvm_scan(true);
    sameLvm(g, lg, 'vgcrypt', ['root', 'data']);
    expect(Object.entries(g.list_filesystems())).toEqual(listfs(`${lg}/list-filesystems.txt`));
    expect(g.list_dm_devices()).toEqual(lines(`${lg}/list-dm-devices.txt`));
    expect(g.canonical_device_name('/dev/mapper/vgcrypt-root')).toBe(
      text(`${lg}/canonical.txt`).trim(),
    );
    for (const [lv, f] of [
      ['root', 'root'],
      ['data', 'data'],
    ] as const) {
      const b = blkid(f);
      const d = `/dev/vgcrypt/${lv}`;
      expect([g.vfs_type(d), g.vfs_label(d), g.vfs_uuid(d)]).toEqual([b.TYPE, b.LABEL, b.UUID]);
    }
    g.mount_ro('/dev/vgcrypt/root', '/');
    expect(g.cat('/hello.txt')).toBe('this is crypt-root\n');
    // The mapping holds an active VG: closing it is refused until the VG is deactivated.
    g.umount_all();
    expect(thrown(() => g.cryptsetup_close('/dev/mapper/cryptsda1')).kind).toBe('EBUSY');
    g.vg_activate(false, ['vgcrypt']);
    g.cryptsetup_close('/dev/mapper/cryptsda1');
    expect(g.lvs()).toEqual([]);
  });

  it('decrypt_disks names the partition’s mapping cryptsda1, as the virt tools do', async () => {
    const g = await open('lvm-on-luks.qcow2');
    const spec = { id: k.device, type: 'key' as const, value: k.passphrase };
    const r = g.decrypt_disks([spec], { readFile: () => new Uint8Array() });
    expect(r.opened).toEqual(lines(`${lg}/list-dm-devices.txt`));
    expect(Object.entries(g.list_filesystems())).toEqual(listfs(`${lg}/list-filesystems.txt`));
  });
});

describe('LUKS on LVM (an LV holds LUKS2)', () => {
  const lg = 'expected/libguestfs/luks-on-lvm';
  const k = keys['luks-on-lvm']!;

  it('at launch: the VG is active; the encrypted LV is no filesystem', async () => {
    const g = await open('luks-on-lvm.qcow2');
    sameLvm(g, lg, 'vgouter', ['plain', 'secret']);
    expect(Object.entries(g.list_filesystems())).toEqual(listfs(`${lg}/list-filesystems.txt`));
    expect(g.list_dm_devices()).toEqual(lines(`${lg}/list-dm-devices.txt`));
    expect(g.luks_uuid(k.device)).toBe(text(`${lg}/luks-uuid.txt`).trim());
  });

  it('opened: the mapping is listed before the LVs, as libguestfs lists dm devices', async () => {
    const g = await open('luks-on-lvm.qcow2');
    g.cryptsetup_open(k.device, k.passphrase, 'luks-secret');
    expect(Object.entries(g.list_filesystems())).toEqual(listfs(`${lg}/list-filesystems-open.txt`));
    expect(g.list_dm_devices()).toEqual(lines(`${lg}/list-dm-devices-open.txt`));
    const b = blkid('inner');
    const d = '/dev/mapper/luks-secret';
    expect([g.vfs_type(d), g.vfs_label(d), g.vfs_uuid(d)]).toEqual([b.TYPE, b.LABEL, b.UUID]);
    // The LV under an open mapping cannot be deactivated.
    expect(thrown(() => g.vg_activate_all(false)).kind).toBe('EBUSY');
  });

  it('decrypt_disks opens the LV by its UUID (map name luks-UUID)', async () => {
    const g = await open('luks-on-lvm.qcow2');
    const spec = { id: k.uuid, type: 'key' as const, value: k.passphrase };
    const r = g.decrypt_disks([spec], { readFile: () => new Uint8Array() });
    expect(r).toEqual({ opened: [`/dev/mapper/luks-${k.uuid}`], skipped: [] });
  });
});

describe('LVM on MD (RAID1 over two MBR partitions)', () => {
  const lg = 'expected/libguestfs/lvm-on-md';

  it('launch assembles /dev/md127 and activates the VG on it, as the appliance', async () => {
    const g = await open('md-a.qcow2', 'md-b.qcow2');
    expect(g.list_md_devices()).toEqual(lines(`${lg}/list-md-devices.txt`));
    expect(g.md_detail('/dev/md127')).toEqual(hashtable(`${lg}/md-detail.txt`));
    // /proc/mdstat lists members newest-bound first: compare in index order.
    const byIndex = (x: Record<string, string>[]) =>
      [...x].sort((p, q) => Number(p.mdstat_index) - Number(q.mdstat_index));
    expect(byIndex(g.md_stat('/dev/md127').map(strings))).toEqual(
      byIndex(structs(`${lg}/md-stat.txt`)),
    );
    sameLvm(g, lg, 'vgmd', ['lvmd']);
    expect(Object.entries(g.list_filesystems())).toEqual(listfs(`${lg}/list-filesystems.txt`));
    const b = blkid('lvmd');
    expect([g.vfs_label('/dev/vgmd/lvmd'), g.vfs_uuid('/dev/vgmd/lvmd')]).toEqual([
      b.LABEL,
      b.UUID,
    ]);
    g.mount_ro('/dev/vgmd/lvmd', '/');
    expect(g.cat('/hello.txt')).toBe('this is md-root\n');
  });
});

describe('a filesystem on a whole disk', () => {
  it('is listed as the disk itself', async () => {
    const g = await open('wholefs.qcow2');
    const b = blkid('wholefs');
    expect(g.list_filesystems()).toEqual({ '/dev/sda': b.TYPE });
    expect(g.lvs()).toEqual([]);
    expect(g.list_md_devices()).toEqual([]);
  });
});
