// MD RAID arrays made by the kernel's md driver in the libguestfs appliance
// (fixtures/build-md.sh). Expected values: the pattern bytes dd wrote into each array and
// the kernel's array sizes (session 1), `mdadm --examine --export` of every member image
// (host), and what libguestfs returned for list_md_devices, md_detail and the LVM-on-MD
// stack in a fresh read-only boot (session 2).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import {
  listMdDevices,
  mdDetail,
  mdMemberDevices,
  mdStat,
} from '../../src/engine/volumes/md/api.js';
import { type MdArray, assembleMd, scanMd } from '../../src/engine/volumes/md/array.js';
import { LEVEL_NAMES } from '../../src/engine/volumes/md/assemble.js';
import { readMdSuperblock } from '../../src/engine/volumes/md/superblock.js';
import { lvs, lvsFull, pvsFull, vgsFull } from '../../src/engine/volumes/lvm/api.js';
import { scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import type { MemberDevice } from '../../src/engine/volumes/types.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

interface ArraySpec {
  level: string;
  metadata: string;
  layout: string | null;
  chunkKiB: number | null;
  members: string[];
  size: number;
}

let dir: string;
let specs: Record<string, ArraySpec>;
let pattern: Buffer;
/** Kernel name of every image in the second appliance boot (from /dev/disk/by-path). */
let kernelName: Map<string, string>;

const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);

beforeAll(() => {
  dir = ensureFixture('md');
  specs = JSON.parse(text('expected/arrays.json'));
  pattern = fs.readFileSync(file('pattern.bin'));
  // Images were added in arrays.json order; drive i is SCSI target i.
  const images = Object.values(specs).flatMap((s) => s.members);
  kernelName = new Map();
  for (const l of lines('expected/libguestfs/by-path.txt')) {
    const m = /-scsi-0:0:(\d+):0 -> \.\.\/\.\.\/(sd[a-z]+)$/.exec(l);
    if (m && images[Number(m[1])]) kernelName.set(images[Number(m[1])]!, `/dev/${m[2]}`);
  }
});

function members(name: string, drop: number[] = []): MemberDevice[] {
  return specs[name]!.members.flatMap((m, i) =>
    drop.includes(i)
      ? []
      : [{ name: kernelName.get(m) ?? `/dev/${m}`, source: new NodeFileSource(file(m)) }],
  );
}

function only(ms: MemberDevice[]): MdArray {
  const scan = scanMd(ms);
  expect(scan.problems).toEqual([]);
  expect(scan.arrays).toHaveLength(1);
  return scan.arrays[0]!;
}

function readAll(a: MdArray): Uint8Array {
  if (!a.device) throw a.error ?? new Error('no device');
  return a.device.source.readAt(0, a.device.source.size);
}

const NAMES = () => Object.keys(specs);
const REDUNDANT = (s: ArraySpec) =>
  ['raid1', 'raid4', 'raid5', 'raid6', 'raid10'].includes(s.level);

describe('every array holds the pattern dd wrote, at the kernel size', () => {
  it.each([
    'r1v12',
    'r1spare',
    'r1v10',
    'r1v11',
    'r1v090',
    'r0',
    'r0alt',
    'r5ls',
    'r5la',
    'r5rs',
    'r5ra',
    'r5p0',
    'r5pn',
    'r5v090',
    'r4',
    'r6ls',
    'r6zr',
    'r6nr',
    'r6nc',
    'r6la6',
    'r10n2',
    'r10n2odd',
    'r10f2',
    'r10o2',
    'lin',
  ])('%s', (name) => {
    const s = specs[name]!;
    const a = only(members(name));
    expect([a.levelName, a.metadata, a.state]).toEqual([s.level, s.metadata, 'clean']);
    expect(a.size).toBe(s.size);
    expect(sha256(readAll(a))).toBe(sha256(pattern.subarray(0, s.size)));
  });

  it('the fixture covers every array the script made', () => {
    expect(NAMES()).toHaveLength(26);
  });
});

describe('degraded arrays read the same bytes', () => {
  it('any one member missing (raid1/4/5/6/10): rebuilt from parity or copies', () => {
    for (const name of NAMES().filter((n) => REDUNDANT(specs[n]!) && n !== 'stack')) {
      const s = specs[name]!;
      for (let drop = 0; drop < s.members.length; drop++) {
        const a = only(members(name, [drop]));
        // r1spare's third member is its spare: without it the array is still whole.
        const spare = name === 'r1spare' && drop === 2;
        expect(a.state, `${name} -${drop}`).toBe(spare ? 'clean' : 'degraded');
        expect(sha256(readAll(a)), `${name} without member ${drop}`).toBe(
          sha256(pattern.subarray(0, s.size)),
        );
      }
    }
  });

  it('raid6: any two members missing (P+Q recovery, md and DDF syndrome orders)', () => {
    for (const name of NAMES().filter((n) => specs[n]!.level === 'raid6')) {
      const s = specs[name]!;
      for (let x = 0; x < s.members.length; x++) {
        for (let y = x + 1; y < s.members.length; y++) {
          const a = only(members(name, [x, y]));
          expect(sha256(readAll(a)), `${name} without ${x},${y}`).toBe(
            sha256(pattern.subarray(0, s.size)),
          );
        }
      }
    }
  });

  it('raid0 and linear missing a member, raid5 missing two: no device, state failed', () => {
    for (const [name, drop] of [
      ['r0', [1]],
      ['lin', [0]],
      ['r5ls', [0, 2]],
    ] as const) {
      const a = only(members(name, [...drop]));
      expect(a.state).toBe('failed');
      expect(a.device).toBeUndefined();
      expect(a.error!.kind).toBe('io');
    }
  });
});

describe('superblocks as mdadm --examine reads them', () => {
  it('level, devices, name, uuids, events, update time of every member', () => {
    for (const s of Object.values(specs)) {
      for (const m of s.members) {
        const ex = JSON.parse(text(`expected/examine/${path.basename(m, '.img')}.json`));
        const sb = readMdSuperblock(new NodeFileSource(file(m)))!;
        expect(LEVEL_NAMES[sb.level], m).toBe(ex.MD_LEVEL);
        expect(String(sb.raidDisks), m).toBe(ex.MD_DEVICES);
        expect(sb.uuid, m).toBe(ex.MD_UUID);
        expect(String(sb.events), m).toBe(ex.MD_EVENTS);
        // mdadm 4.2 exports a 0.90 superblock's ctime under MD_UPDATE_TIME (its human
        // "Update Time" line shows utime); for 1.x it exports utime.
        expect(String(sb.version === '0.90' ? sb.ctime : sb.utime), m).toBe(ex.MD_UPDATE_TIME);
        if (ex.MD_NAME !== undefined) expect(sb.name, m).toBe(ex.MD_NAME);
        if (ex.MD_DEV_UUID !== undefined) expect(sb.deviceUuid, m).toBe(ex.MD_DEV_UUID);
      }
    }
  });
});

describe('the libguestfs API answers', () => {
  let all: MdArray[];
  beforeAll(() => {
    const ms = Object.keys(specs).flatMap((n) => members(n));
    all = assembleMd(ms);
  });

  it('list_md_devices: one /dev/mdN per array, counting down from md127', () => {
    expect(listMdDevices(all)).toEqual(lines('expected/libguestfs/list-md-devices.txt'));
    expect(listMdDevices(assembleMd(members('r5ls')))).toEqual(['/dev/md127']);
  });

  it('md_detail equals what libguestfs returned for the same array', () => {
    const lg = fs
      .readdirSync(file('expected/libguestfs'))
      .filter((f) => f.startsWith('md-detail-'));
    expect(lg).toHaveLength(26);
    for (const f of lg) {
      const want: Record<string, string> = {};
      for (const l of lines(`expected/libguestfs/${f}`)) {
        const i = l.indexOf(': ');
        want[l.slice(0, i)] = l.slice(i + 2);
      }
      const a = all.find((x) => x.uuid === want.uuid)!;
      expect(mdDetail(all, a.name), f).toEqual(want);
      expect(mdDetail(all, `/dev/md/${want.devname}`)).toEqual(want);
    }
  });

  it('md_stat lists the members with their descriptor numbers', () => {
    const a = only(members('r5ls'));
    const rows = mdStat([a], a.name).map((r) => [r.mdstat_device, r.mdstat_index, r.mdstat_flags]);
    const want: [string, number, string][] = [];
    let cur: Partial<{ d: string; i: number; f: string }> = {};
    const lgName = lines('expected/libguestfs/dev-md.txt')
      .find((l) => l.includes('guestkit:r5ls'))!
      .replace(/.*\.\.\//, '');
    for (const l of lines(`expected/libguestfs/md-stat-${lgName}.txt`)) {
      const m = /^ {2}(\w+): ?(.*)$/.exec(l);
      if (m?.[1] === 'mdstat_device') cur = { d: m[2] };
      if (m?.[1] === 'mdstat_index') cur.i = Number(m[2]);
      if (m?.[1] === 'mdstat_flags') want.push([cur.d!, cur.i!, m[2]!]);
    }
    expect(rows.sort()).toEqual(want.sort());
  });

  it('member devices of running arrays are reported for exclusion from other scans', () => {
    expect(mdMemberDevices(assembleMd(members('r1v12'))).sort()).toEqual(
      members('r1v12')
        .map((m) => m.name)
        .sort(),
    );
  });
});

describe('LVM on MD (the stacking order the handle uses: md, then LVM on its output)', () => {
  it('the PV on /dev/md127 and its LV read as libguestfs saw them', () => {
    const [arr] = assembleMd(members('stack'));
    const model = scanLvm([{ name: arr!.name, source: arr!.device!.source }]);
    expect(model.problems).toEqual([]);
    expect(lvs(model)).toEqual(lines('expected/libguestfs/lvs.txt'));
    const lv = model.devices[0]!.source;
    expect(lv.size).toBe(4 << 20);
    expect(sha256(lv.readAt(0, lv.size))).toBe(sha256(pattern.subarray(0, 4 << 20)));
    const str = (o: object) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    const lgPv = structsOf('expected/libguestfs/pvs-full.txt');
    expect(pvsFull(model).map(str)).toEqual(lgPv.map((p) => ({ ...p, pv_name: arr!.name })));
    expect(vgsFull(model).map(str)).toEqual(structsOf('expected/libguestfs/vgs-full.txt'));
    const lgLv = structsOf('expected/libguestfs/lvs-full.txt')[0]!;
    const ours = str(lvsFull(model)[0]!);
    for (const k of ['lv_kernel_major', 'lv_kernel_minor']) {
      delete lgLv[k];
      delete ours[k];
    }
    expect(ours).toEqual({ ...lgLv, snap_percent: '-1', copy_percent: '-1' });
  });
});

function structsOf(rel: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text(rel).split('\n')) {
    if (/^\[\d+\] = \{/.test(line)) out.push({});
    const m = /^ {2}(\w+): ?(.*)$/.exec(line);
    if (m) out.at(-1)![m[1]!] = m[2]!;
  }
  return out;
}

describe('writes', () => {
  function writableMembers(name: string): { ms: MemberDevice[]; bytes: Uint8Array[] } {
    const bytes = specs[name]!.members.map((m) => new Uint8Array(fs.readFileSync(file(m))));
    const ms = bytes.map((b, i) => ({
      name: `/dev/${name}-${i}`,
      source: Object.assign(new MemorySource(b), {
        writeAt: (o: number, d: Uint8Array) => b.set(d, o),
      }),
    }));
    return { ms, bytes };
  }
  const data = Uint8Array.from({ length: 96 << 10 }, (_, i) => (i * 13) & 0xff);

  it('raid1 writes land on every member at the data offset', () => {
    const { ms, bytes } = writableMembers('r1v12');
    const a = only(ms);
    a.device!.source.writeAt!(4096, data);
    expect(a.device!.source.readAt(4096, data.length)).toEqual(data);
    for (const b of bytes) {
      const sb = readMdSuperblock(new MemorySource(b))!;
      const at = sb.dataOffset * 512 + 4096;
      expect(b.subarray(at, at + data.length)).toEqual(data);
    }
  });

  it('raid0 and raid10 writes read back, and every raid10 copy is written', () => {
    for (const name of ['r0', 'r10n2']) {
      const { ms } = writableMembers(name);
      const a = only(ms);
      a.device!.source.writeAt!(200 << 10, data);
      expect(a.device!.source.readAt(200 << 10, data.length)).toEqual(data);
      // Drop each member in turn: the written bytes must still be there (raid10 copies).
      if (name === 'r10n2') {
        for (let drop = 0; drop < ms.length; drop++) {
          const d = only(ms.filter((_, i) => i !== drop));
          expect(d.device!.source.readAt(200 << 10, data.length)).toEqual(data);
        }
      }
    }
  });

  it('parity arrays stay read-only (a write would have to update P and Q)', () => {
    expect(only(writableMembers('r5ls').ms).device!.source.writeAt).toBeUndefined();
  });
});
