// The device and partition actions of the foundation issue, through the Guestfs handle,
// against sfdisk --json, blkid -p and qemu-img info on the fixture disks.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture } from '../helpers/fixtures.js';

const parts = ensureFixture('partitions');
const qcow2 = ensureFixture('qcow2');
const sfdisk = (disk: string) =>
  JSON.parse(fs.readFileSync(path.join(parts, 'expected', `${disk}.sfdisk.json`), 'utf8'))
    .partitiontable;
const blkid = (disk: string): { start: number; export: Record<string, string> }[] =>
  JSON.parse(fs.readFileSync(path.join(parts, 'expected', `${disk}.blkid.json`), 'utf8'));
const qemuInfo = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(qcow2, 'expected', `${name}.json`), 'utf8')).info;

let envs: NodeEnvironment[] = [];
afterAll(() => {
  for (const e of envs) e.close();
  envs = [];
});

function open(...files: string[]): { g: Guestfs; log: string[] } {
  const log: string[] = [];
  const env = new NodeEnvironment((l) => log.push(l));
  envs.push(env);
  const g = new Guestfs(env);
  for (const f of files) g.add_drive_ro(f);
  g.launch();
  return { g, log };
}

describe('MBR disk with logical partitions', () => {
  const t = sfdisk('mbr.img');
  const { g } = open(path.join(parts, 'mbr.img'));
  const nums = t.partitions.map((p: { node: string }) => Number(/(\d+)$/.exec(p.node)![1]));

  it('lists devices and partitions under libguestfs names', () => {
    expect(g.list_devices()).toEqual(['/dev/sda']);
    expect(g.list_partitions()).toEqual(nums.map((n: number) => `/dev/sda${n}`));
    expect(nums).toContain(5);
  });

  it('reports table type, ids, boot flags, sizes as sfdisk does', () => {
    expect(g.part_get_parttype('/dev/sda')).toBe('msdos');
    t.partitions.forEach(
      (p: { start: number; size: number; type: string; bootable?: boolean }, i: number) => {
        const n = nums[i]!;
        expect(g.part_get_mbr_id('/dev/sda', n)).toBe(parseInt(p.type, 16));
        expect(g.part_get_bootable('/dev/sda', n)).toBe(p.bootable === true);
        expect(g.blockdev_getsize64(`/dev/sda${n}`)).toBe(p.size * 512);
        expect(g.blockdev_getsz(`/dev/sda${n}`)).toBe(p.size);
        expect(g.part_to_dev(`/dev/sda${n}`)).toBe('/dev/sda');
        expect(g.part_to_partnum(`/dev/sda${n}`)).toBe(n);
        expect(g.is_whole_device(`/dev/sda${n}`)).toBe(false);
      },
    );
    expect(g.is_whole_device('/dev/sda')).toBe(true);
    expect(g.blockdev_getss('/dev/sda')).toBe(512);
    expect(g.blockdev_getsize64('/dev/sda')).toBe(fs.statSync(path.join(parts, 'mbr.img')).size);
  });

  it('gives the filesystems blkid finds, leaving out the extended partition', () => {
    const fses = g.list_filesystems();
    const ext = nums.filter((_: number, i: number) =>
      ['5', 'f', '85'].includes(t.partitions[i].type),
    );
    for (const n of ext) expect(fses).not.toHaveProperty(`/dev/sda${n}`);
    for (const b of blkid('mbr.img')) {
      const i = t.partitions.findIndex((p: { start: number }) => p.start * 512 === b.start);
      const dev = `/dev/sda${nums[i]}`;
      expect(g.vfs_type(dev)).toBe(b.export.TYPE ?? '');
      expect(g.vfs_label(dev)).toBe(b.export.LABEL ?? '');
      expect(g.vfs_uuid(dev)).toBe(b.export.UUID ?? '');
      if (b.export.TYPE) expect(fses[dev]).toBe(b.export.TYPE);
    }
  });

  it('refuses GPT-only actions on MBR and unknown partitions', () => {
    expect(() => g.part_get_gpt_type('/dev/sda', 1)).toThrow(
      expect.objectContaining({ kind: 'EINVAL' }),
    );
    expect(() => g.part_get_name('/dev/sda', 1)).toThrow(
      expect.objectContaining({ kind: 'EINVAL' }),
    );
    expect(() => g.part_get_mbr_id('/dev/sda', 42)).toThrow(
      expect.objectContaining({ kind: 'ENOENT' }),
    );
    expect(() => g.part_to_partnum('/dev/sda')).toThrow(
      expect.objectContaining({ kind: 'EINVAL' }),
    );
    expect(() => g.blockdev_getsize64('/dev/sdb')).toThrow(
      expect.objectContaining({ kind: 'ENOENT' }),
    );
  });
});

describe('GPT disks', () => {
  it('reports type GUIDs, partition GUIDs, names and the disk GUID as sfdisk does', () => {
    const t = sfdisk('gpt.img');
    const { g } = open(path.join(parts, 'gpt.img'));
    expect(g.part_get_parttype('/dev/sda')).toBe('gpt');
    expect(g.part_get_disk_guid('/dev/sda')).toBe(t.id);
    for (const p of t.partitions as { node: string; type: string; uuid: string; name?: string }[]) {
      const n = Number(/(\d+)$/.exec(p.node)![1]);
      expect(g.part_get_gpt_type('/dev/sda', n)).toBe(p.type);
      expect(g.part_get_gpt_guid('/dev/sda', n)).toBe(p.uuid);
      expect(g.part_get_name('/dev/sda', n)).toBe(p.name ?? '');
      // parted's boot flag on GPT is the EFI System type.
      expect(g.part_get_bootable('/dev/sda', n)).toBe(
        p.type === 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      );
    }
    expect(() => g.part_get_mbr_id('/dev/sda', 1)).toThrow(
      expect.objectContaining({ kind: 'EINVAL' }),
    );
  });

  it('uses 4096-byte sectors where the table does', () => {
    const t = sfdisk('gpt-4k.img');
    expect(t.sectorsize).toBe(4096);
    const { g } = open(path.join(parts, 'gpt-4k.img'));
    expect(g.blockdev_getss('/dev/sda')).toBe(4096);
    const list = g.part_list('/dev/sda');
    expect(list.map((p) => [p.part_start, p.part_size])).toEqual(
      t.partitions.map((p: { start: number; size: number }) => [p.start * 4096, p.size * 4096]),
    );
  });
});

describe('several drives', () => {
  it('names them sda, sdb in order and indexes them', () => {
    const { g } = open(path.join(parts, 'mbr.img'), path.join(parts, 'gpt.qcow2'));
    expect(g.list_devices()).toEqual(['/dev/sda', '/dev/sdb']);
    expect(g.device_index('/dev/sdb')).toBe(1);
    expect(g.device_index('/dev/vdb')).toBe(1);
    expect(g.canonical_device_name('/dev/vdb1')).toBe('/dev/sdb1');
    expect(g.canonical_device_name('/dev/hda')).toBe('/dev/sda');
    expect(g.part_get_parttype('/dev/sdb')).toBe('gpt');
  });
});

describe('host image queries and handle state', () => {
  const env = new NodeEnvironment();
  const g = new Guestfs(env);

  it('answers disk_* without launch, as qemu-img info does', () => {
    for (const name of ['v2', 'zstd', 'top', 'mid', 'extl2-ov']) {
      const file = path.join(qcow2, `${name}.qcow2`);
      const info = qemuInfo(name);
      expect(g.disk_format(file)).toBe(info.format);
      expect(g.disk_virtual_size(file)).toBe(info['virtual-size']);
      expect(g.disk_has_backing_file(file)).toBe(info['backing-filename'] !== undefined);
    }
    // Format and size need no backing file: libguestfs answers from qemu-img info.
    const missing = path.join(qcow2, 'missing.qcow2');
    expect(g.disk_has_backing_file(missing)).toBe(true);
    expect(g.disk_virtual_size(missing)).toBe(qemuInfo('missing')['virtual-size']);
  });

  it('refuses device actions before launch and drives after it', () => {
    const h = new Guestfs(new NodeEnvironment());
    expect(() => h.list_devices()).toThrow(expect.objectContaining({ kind: 'EINVAL' }));
    expect(() => h.launch()).toThrow(expect.objectContaining({ kind: 'EINVAL' }));
    h.add_drive_ro(path.join(parts, 'mbr.img'));
    h.launch();
    expect(() => h.add_drive_ro(path.join(parts, 'gpt.img'))).toThrow(
      expect.objectContaining({ kind: 'EINVAL' }),
    );
  });

  it('traces calls when asked', () => {
    const { g: h, log } = open(path.join(parts, 'mbr.img'));
    expect(h.get_trace()).toBe(false);
    h.set_trace(true);
    expect(h.get_trace()).toBe(true);
    h.call('part_get_parttype', ['/dev/sda']);
    expect(log).toEqual([
      'libguestfs: trace: part_get_parttype "/dev/sda"',
      'libguestfs: trace: part_get_parttype = "msdos"',
    ]);
  });

  it('refuses guest-executing actions as unsupported, also as direct methods', () => {
    const h = new Guestfs(new NodeEnvironment()) as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    expect(() => h.sh!('ls')).toThrow(
      expect.objectContaining({ kind: 'unsupported', feature: 'sh' }),
    );
    expect(() => h.command!(['ls'])).toThrow(
      expect.objectContaining({ kind: 'unsupported', feature: 'command' }),
    );
  });

  it('has a method for every implemented action of the table', () => {
    for (const a of Guestfs.actions) {
      expect(typeof (g as unknown as Record<string, unknown>)[a.name], a.name).toBe('function');
    }
  });
});
