// MD RAID through the Guestfs handle (fixtures/build-md.sh): every member image added as a
// drive, in the order the fixture's second appliance boot added them; after launch every
// array is a device, as after the appliance's udev assembled them. Expected values: what
// libguestfs returned in that boot (list_md_devices, md_detail, md_stat, sizes, the LVM
// on the "stack" array), with its kernel device names mapped back to images through
// /dev/disk/by-path, and the pattern the appliance's dd wrote into each array.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { diskName } from '../../src/engine/partitions/naming.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';
import { launched, thrown } from './helpers.js';

const dir = ensureFixture('md');
const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);
const LG = 'expected/libguestfs';

interface ArraySpec {
  level: string;
  members: string[];
  size: number;
}
const specs: Record<string, ArraySpec> = JSON.parse(text('expected/arrays.json'));
const images = Object.values(specs).flatMap((s) => s.members);

/** The appliance's kernel name of each image → the handle's name for the same drive. */
const ours = new Map<string, string>();
for (const l of lines(`${LG}/by-path.txt`)) {
  const m = /-scsi-0:0:(\d+):0 -> \.\.\/\.\.\/(sd[a-z]+)$/.exec(l);
  if (m && images[Number(m[1])]) ours.set(`/dev/${m[2]}`, diskName(Number(m[1])));
}
const rename = (s: string) => s.replace(/\/dev\/sd[a-z]+/g, (k) => ours.get(k) ?? `?${k}`);
const key = (dev: string) => dev.replace(/^\/+/, '').replace(/[^A-Za-z0-9]/g, '_');

/** md-detail-mdN.txt as a hashtable, member names translated (keys embed them too). */
function lgDetail(md: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines(`${LG}/md-detail-${md}.txt`)) {
    const [k, v = ''] = l.split(/: ?(.*)/s);
    const dev = /^device_(dev_sd[a-z]+)_(role|dev)$/.exec(k!);
    if (dev) out[`device_${key(rename(`/${dev[1]!.replace(/_/g, '/')}`))}_${dev[2]}`] = rename(v);
    else out[k!] = v;
  }
  return out;
}

function lgStat(
  md: string,
): { mdstat_device: string; mdstat_index: number; mdstat_flags: string }[] {
  const out: { mdstat_device: string; mdstat_index: number; mdstat_flags: string }[] = [];
  for (const l of lines(`${LG}/md-stat-${md}.txt`)) {
    const m = /^ {2}(\w+): ?(.*)$/.exec(l);
    if (/^\[\d+\]/.test(l)) out.push({ mdstat_device: '', mdstat_index: 0, mdstat_flags: '' });
    else if (m?.[1] === 'mdstat_device') out.at(-1)!.mdstat_device = rename(m[2]!);
    else if (m?.[1] === 'mdstat_index') out.at(-1)!.mdstat_index = Number(m[2]);
    else if (m?.[1] === 'mdstat_flags') out.at(-1)!.mdstat_flags = m[2]!;
  }
  return out.sort((a, b) => a.mdstat_index - b.mdstat_index);
}

let g: Guestfs;
beforeAll(async () => {
  g = await launched(images.map((i) => file(i)));
});
afterAll(() => g.close());

/** The handle's array whose md_detail uuid is `uuid`. */
const byUuid = (uuid: string) => g.list_md_devices().find((m) => g.md_detail(m).uuid === uuid)!;

describe('26 arrays assembled at launch', () => {
  it('list_md_devices: the same /dev/mdN names libguestfs listed', () => {
    expect(g.list_md_devices()).toEqual(lines(`${LG}/list-md-devices.txt`));
  });

  it('md_detail and md_stat of each array equal libguestfs’ (matched by array uuid)', () => {
    for (const md of lines(`${LG}/list-md-devices.txt`)) {
      const want = lgDetail(md.slice(5));
      const mine = byUuid(want.uuid!);
      expect(g.md_detail(mine), md).toEqual(want);
      const stat = [...g.md_stat(mine)].sort((a, b) => a.mdstat_index - b.mdstat_index);
      expect(stat, md).toEqual(lgStat(md.slice(5)));
      expect(g.blockdev_getsize64(mine), md).toBe(Number(text(`${LG}/size-${md.slice(5)}.txt`)));
      // mdadm's /dev/md/ link names the same array.
      expect(g.md_detail(`/dev/md/${want.devname}`).uuid).toBe(want.uuid);
    }
  });

  it('each array reads as the pattern dd wrote into it (by its /dev/md/ link name)', () => {
    const pattern = fs.readFileSync(file('pattern.bin'));
    for (const name of ['r1v12', 'r5ls', 'r6nc', 'r10f2', 'r0alt', 'lin']) {
      const size = specs[name]!.size;
      const dev = g.device(`/dev/md/guestkit:${name}`, 'test');
      expect(dev.kind).toBe('md');
      expect(dev.source.size, name).toBe(size);
      expect(sha256(dev.source.readAt(0, size)), name).toBe(sha256(pattern.subarray(0, size)));
    }
  });

  it('members are not filesystems; arrays holding no filesystem are "unknown"', () => {
    const fses = g.list_filesystems();
    for (const d of g.list_devices()) expect(fses).not.toHaveProperty(d);
    expect(Object.keys(fses).filter((d) => d.startsWith('/dev/md'))).toHaveLength(25);
    expect(new Set(Object.values(fses))).toEqual(new Set(['unknown']));
  });

  it('LVM on the "stack" array: the PV is the array, as libguestfs saw it', () => {
    expect(g.pvs()).toEqual(lines(`${LG}/pvs.txt`));
    expect(g.lvs()).toEqual(lines(`${LG}/lvs.txt`));
    const inv = g.inventory();
    const lv = inv.devices.find((d) => d.name === '/dev/vgmd/lvdata')!;
    expect(lv).toMatchObject({ kind: 'lv', members: lines(`${LG}/pvs.txt`) });
    const md = inv.devices.find((d) => d.name === lines(`${LG}/pvs.txt`)[0])!;
    expect(md.kind).toBe('md');
    expect(md.members!.map((m) => images[g.device_index(m)])).toEqual(specs.stack!.members);
    expect(md.volume).toMatchObject({ level: 'raid1', metadata: '1.2' });
  });

  it('md actions refuse devices that are not arrays', () => {
    expect(thrown(() => g.md_detail('/dev/sda')).kind).toBe('EINVAL');
    expect(thrown(() => g.md_stat('/dev/md1')).kind).toBe('ENOENT');
  });
});
