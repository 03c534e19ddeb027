// LVM through the Guestfs handle (fixtures/build-lvm.sh): after launch every VG is active
// and its LVs are devices every action works on, as after the libguestfs appliance boots.
// Expected values: lvm2's own reports over the loop devices (host-*.json), blkid -p of the
// filesystem images written into the LVs, the script's file contents, and — for vgx,
// made by device-mapper in the appliance — what libguestfs returned in a read-only boot.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../src/engine/guestfs/api-table.js';
import { LUKS_ACTION_DECLS } from '../../src/engine/guestfs/api-volumes.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { VOLUME_ACTIONS } from '../../src/engine/guestfs/volume-actions.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { launched, thrown } from './helpers.js';

const dir = ensureFixture('lvm');
const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const json = <T>(rel: string): T => JSON.parse(text(rel)) as T;
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);
const report = <T>(rel: string, key: string): T[] =>
  json<{ report: Record<string, T[]>[] }>(rel).report[0]![key]!;

/** The image names the lvm fixture's reports use → the handle's device names. */
const NAMES: Record<string, string> = {
  'disk1.img': '/dev/sda',
  'disk2.img#1': '/dev/sdb1',
  'orphan.img': '/dev/sdc',
};

/** guestfish's printing of a struct list: "[n] = {" then "  key: value" lines. */
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

describe('vg0: linear LVs over a whole disk and a GPT partition (host lvm2)', () => {
  let g: Guestfs;
  beforeAll(async () => {
    g = await launched([file('disk1.img'), file('disk2.img'), file('orphan.img')]);
  });
  afterAll(() => g.close());

  const hostLvs = () =>
    report<Record<string, string>>('expected/host-lvs.json', 'lv').filter(
      (l, i, all) => all.findIndex((x) => x.lv_name === l.lv_name) === i,
    );

  it('pvs, vgs and lvs are what lvm2 reported, under libguestfs device names', () => {
    const pvs = report<Record<string, string>>('expected/host-pvs.json', 'pv');
    expect(g.pvs()).toEqual(pvs.map((p) => NAMES[p.pv_name!]!).sort());
    expect(g.vgs()).toEqual(['vg0']);
    expect(g.lvs()).toEqual(
      hostLvs()
        .map((l) => `/dev/vg0/${l.lv_name}`)
        .sort(),
    );
    for (const p of pvs) expect(g.pvuuid(NAMES[p.pv_name!]!)).toBe(p.pv_uuid);
  });

  it('every LV is a device of lvm2’s size and uuid, also by its /dev/mapper name', () => {
    for (const l of hostLvs()) {
      const dev = `/dev/vg0/${l.lv_name}`;
      expect(g.blockdev_getsize64(dev), dev).toBe(Number(l.lv_size));
      expect(g.lvuuid(dev)).toBe(l.lv_uuid);
      expect(g.lvuuid(`/dev/mapper/vg0-${l.lv_name}`)).toBe(l.lv_uuid);
      expect(g.is_lv(dev)).toBe(true);
      expect(g.canonical_device_name(`/dev/mapper/vg0-${l.lv_name}`)).toBe(dev);
      expect(g.lvm_canonical_lv_name(`/dev/mapper/vg0-${l.lv_name}`)).toBe(dev);
    }
    expect(g.is_lv('/dev/sda')).toBe(false);
    expect(thrown(() => g.lvm_canonical_lv_name('/dev/sda')).kind).toBe('EINVAL');
    expect(g.canonical_device_name('/dev/mapper/vg0-nosuch')).toBe('/dev/mapper/vg0-nosuch');
  });

  it('the filesystems in the LVs are what blkid -p says of the images written there', () => {
    for (const lv of ['home', 'root', 'data']) {
      const b = json<Record<string, string>>(`expected/blkid/${lv}.json`);
      const dev = `/dev/vg0/${lv}`;
      expect([g.vfs_type(dev), g.vfs_label(dev), g.vfs_uuid(dev)], lv).toEqual([
        b.TYPE,
        b.LABEL,
        b.UUID,
      ]);
      expect(g.vfs_type(`/dev/mapper/vg0-${lv}`)).toBe(b.TYPE);
    }
  });

  it('list_filesystems: partitions then LVs; PVs (LVM2_member) are left out', () => {
    const blkid = (lv: string) => json<Record<string, string>>(`expected/blkid/${lv}.json`).TYPE;
    expect(g.list_filesystems()).toEqual({
      '/dev/vg0/data': blkid('data'),
      '/dev/vg0/extra': 'unknown',
      '/dev/vg0/home': blkid('home'),
      '/dev/vg0/root': blkid('root'),
    });
    expect(Object.keys(g.list_filesystems())).toEqual([
      '/dev/vg0/data',
      '/dev/vg0/extra',
      '/dev/vg0/home',
      '/dev/vg0/root',
    ]);
  });

  it('mounts root, whose extents span both disks, and reads the file the script wrote', () => {
    g.mount_ro('/dev/vg0/root', '/');
    try {
      expect(g.cat('/hello.txt')).toBe('this is root\n');
    } finally {
      g.umount_all();
    }
  });

  it('deactivation removes the LV devices (lvs still lists them: unknown); EBUSY while mounted', () => {
    g.mount_ro('/dev/vg0/home', '/');
    expect(thrown(() => g.vg_activate(false, ['vg0'])).kind).toBe('EBUSY');
    expect(g.vfs_type('/dev/vg0/home')).toBe('ext4');
    g.umount_all();
    g.vg_activate_all(false);
    expect(g.lvs()).toContain('/dev/vg0/home');
    expect(thrown(() => g.vfs_type('/dev/vg0/home')).kind).toBe('ENOENT');
    expect(Object.values(g.list_filesystems())).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(g.inventory().volumeGroups).toMatchObject([{ name: 'vg0', active: false }]);
    expect(thrown(() => g.vg_activate(true, ['nosuch'])).kind).toBe('ENOENT');
    g.vg_activate(true, ['vg0']);
    expect(g.vfs_label('/dev/vg0/home')).toBe('home');
  });

  it('inventory: LV devices with their PVs, and the VG with PVs and LVs', () => {
    const inv = g.inventory();
    const root = inv.devices.find((d) => d.name === '/dev/vg0/root')!;
    expect(root).toMatchObject({ kind: 'lv', members: ['/dev/sda', '/dev/sdb1'] });
    expect(root.fs?.label).toBe('root');
    const vg = json<{ report: { vg: Record<string, string>[] }[] }>('expected/host-vgs.json')
      .report[0]!.vg[0]!;
    expect(inv.volumeGroups).toEqual([
      {
        name: 'vg0',
        uuid: vg.vg_uuid,
        size: Number(vg.vg_size),
        extentSize: Number(vg.vg_extent_size),
        pvs: ['/dev/sda', '/dev/sdb1'],
        lvs: g.lvs(),
        active: true,
        partial: false,
      },
    ]);
  });
});

describe('a damaged PV label does not stop launch', () => {
  it('the PV is left out (logged), its VG is partial, LVs on the other PV still work', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-lvm-'));
    const bad = path.join(tmp, 'disk1.img');
    fs.copyFileSync(file('disk1.img'), bad);
    // label_header.crc_xl (LVM2 lib/label/label.h): offset 16 of the label in sector 1.
    const fd = fs.openSync(bad, 'r+');
    fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 512 + 16);
    fs.closeSync(fd);
    const log: string[] = [];
    const env = new NodeEnvironment((l) => log.push(l));
    const g = new Guestfs(env);
    try {
      g.set_verbose(true);
      g.add_drive_ro(bad);
      g.add_drive_ro(file('disk2.img'));
      g.launch();
      expect(
        log.some((l) => /lvm: \/dev\/sda: .*label/i.test(l)),
        log.join('\n'),
      ).toBe(true);
      expect(g.pvs()).toEqual(['/dev/sdb1']);
      expect(g.inventory().volumeGroups).toMatchObject([{ name: 'vg0', partial: true }]);
      // home lives on the damaged PV only: no device; data lives on disk2 only.
      expect(thrown(() => g.vfs_type('/dev/vg0/home')).kind).toBe('ENOENT');
      expect(g.vfs_label('/dev/vg0/data')).toBe(
        json<Record<string, string>>('expected/blkid/data.json').LABEL,
      );
    } finally {
      g.close();
      env.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('vgx: striped, raid, mirror, thin and snapshot LVs, as libguestfs answered', () => {
  let g: Guestfs;
  beforeAll(async () => {
    g = await launched([1, 2, 3, 4, 5].map((i) => file(`x${i}.img`)));
  });
  afterAll(() => g.close());
  const LG = 'expected/libguestfs';

  it('pvs, vgs, lvs, the uuid actions and canonical names', () => {
    expect(g.pvs()).toEqual(lines(`${LG}/pvs.txt`));
    expect(g.vgs()).toEqual(lines(`${LG}/vgs.txt`));
    expect(g.lvs()).toEqual(lines(`${LG}/lvs.txt`));
    expect(g.vguuid('vgx')).toBe(text(`${LG}/vguuid.txt`).trim());
    expect(g.vgpvuuids('vgx')).toEqual(lines(`${LG}/vgpvuuids.txt`));
    expect(g.vglvuuids('vgx')).toEqual(lines(`${LG}/vglvuuids.txt`));
    expect(g.pvuuid('/dev/sda')).toBe(text(`${LG}/pvuuid-sda.txt`).trim());
    expect(g.lvuuid('/dev/vgx/str')).toBe(text(`${LG}/lvuuid-str.txt`).trim());
    expect(g.lvm_canonical_lv_name('/dev/mapper/vgx-str')).toBe(
      text(`${LG}/canonical-mapper-str.txt`).trim(),
    );
    expect(String(g.is_lv('/dev/vgx/r5'))).toBe(text(`${LG}/is-lv-r5.txt`).trim());
    expect(String(g.is_lv('/dev/sda'))).toBe(text(`${LG}/is-lv-sda.txt`).trim());
  });

  it('pvs_full and vgs_full field for field; lvs_full but the kernel-only fields', () => {
    expect(g.pvs_full().map(strings)).toEqual(structs(`${LG}/pvs-full.txt`));
    expect(g.vgs_full().map(strings)).toEqual(structs(`${LG}/vgs-full.txt`));
    const lg = structs(`${LG}/lvs-full.txt`);
    const ours = g.lvs_full().map(strings);
    expect(ours.map((l) => l.lv_name)).toEqual(lg.map((l) => l.lv_name));
    const kernelOnly = ['lv_kernel_major', 'lv_kernel_minor', 'snap_percent', 'copy_percent'];
    for (const [i, l] of lg.entries())
      for (const k of Object.keys(l))
        if (!kernelOnly.includes(k)) expect(ours[i]![k], `${l.lv_name}.${k}`).toBe(l[k]);
  });

  it('every listed LV is a device of the kernel’s size', () => {
    for (const lv of lines(`${LG}/lvs.txt`)) {
      const name = lv.split('/').pop()!;
      expect(g.blockdev_getsize64(lv), lv).toBe(Number(text(`${LG}/size-${name}.txt`)));
    }
  });

  it('the action table’s call runs them by name, with libguestfs’ argument types', () => {
    expect(g.call('lvs', [])).toEqual(lines(`${LG}/lvs.txt`));
    expect(g.call('vg_activate', [true, ['vgx']])).toBeUndefined();
    expect(g.call('is_lv', ['/dev/mapper/vgx-r1'])).toBe(true);
  });
});

describe('the volume actions: table and handle agree', () => {
  for (const [name, fn] of Object.entries(VOLUME_ACTIONS)) {
    it(`${name}: declared implemented, same arity, a method of Guestfs`, () => {
      const a = findAction(name);
      expect(a?.state).toBe('implemented');
      // The implementation takes the volume context first; optional arguments default.
      expect(fn.length).toBe(1 + a!.args.length);
      expect(typeof (Guestfs.prototype as unknown as Record<string, unknown>)[name]).toBe(
        'function',
      );
    });
  }

  it('every passphrase argument is of type Key, and the LVM/MD write actions are EROFS', () => {
    const keyArgs = LUKS_ACTION_DECLS.flatMap((a) => a.args.filter((x) => /key$/.test(x.name)));
    expect(keyArgs.length).toBeGreaterThan(3);
    for (const k of keyArgs) expect(k.type).toBe('Key');
    for (const name of ['lvcreate', 'vgcreate', 'pvcreate', 'md_create', 'luks_format'])
      expect(findAction(name)).toMatchObject({ state: 'planned', writes: true });
  });
});
