// LVM2 on the host-made fixture (fixtures/build-lvm.sh part 1): VG vg0 over a whole-disk
// PV and a GPT partition PV, linear LVs holding filesystems, an older metadata copy, and a
// VG whose metadata text wraps around its circular buffer. Expected values: the
// filesystem images dd'd into the extents lvm2 reported, blkid -p of those images,
// lvm2's own JSON reports, sfdisk --json, pvck --dump headers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { type BlockSource, MemorySource, slice } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { probe } from '../../src/engine/fs/probe/registry.js';
import type { MemberDevice } from '../../src/engine/volumes/types.js';
import { TEXT_STRUCTURE } from '../../src/engine/volumes/lvm/mda.js';
import { type LvmModel, scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import {
  LvmActivation,
  isLv,
  lvCanonical,
  lvStruct,
  lvs,
  lvsFull,
  lvuuid,
  pvs,
  pvsFull,
  pvuuid,
  vgs,
  vgsFull,
  vguuid,
} from '../../src/engine/volumes/lvm/api.js';
import { lvRole } from '../../src/engine/volumes/lvm/attrs.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

let dir: string;
const json = (rel: string) => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8'));
const report = (rel: string, kind: 'pv' | 'vg' | 'lv') =>
  json(rel).report[0][kind] as Record<string, string>[];
const undash = (s: string) => s.replace(/-/g, '');
const MiB = 1 << 20;

/** Our device names for the images: disk1 is /dev/sda, disk2's partition 1 is /dev/sdb1. */
const NAMES: Record<string, string> = {
  'disk1.img': '/dev/sda',
  'disk2.img#1': '/dev/sdb1',
  'wrap.img': '/dev/sdc',
};

function disk2Partition(src: BlockSource): BlockSource {
  const p = json('expected/disk2.sfdisk.json').partitiontable.partitions[0];
  return slice(src, p.start * 512, p.size * 512, '/dev/sdb1');
}

function members(disk1 = 'disk1.img'): MemberDevice[] {
  return [
    { name: '/dev/sda', source: new NodeFileSource(path.join(dir, disk1)) },
    { name: '/dev/sdb1', source: disk2Partition(new NodeFileSource(path.join(dir, 'disk2.img'))) },
  ];
}

function lvDevice(model: LvmModel, name: string) {
  const d = model.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name}`);
  return d;
}

let model: LvmModel;
beforeAll(() => {
  dir = ensureFixture('lvm');
  model = scanLvm(members());
});

describe('vg0 from lvm2 on the host', () => {
  it('finds both PVs and one VG, without problems', () => {
    expect(model.problems).toEqual([]);
    expect(pvs(model)).toEqual(['/dev/sda', '/dev/sdb1']);
    expect(vgs(model)).toEqual(['vg0']);
    expect(lvs(model)).toEqual([
      '/dev/vg0/data',
      '/dev/vg0/extra',
      '/dev/vg0/home',
      '/dev/vg0/root',
    ]);
  });

  it('LV bytes are the filesystem images written into their extents', () => {
    for (const lv of ['home', 'root', 'data']) {
      const img = fs.readFileSync(path.join(dir, 'fs', `${lv}.img`));
      const dev = lvDevice(model, `/dev/vg0/${lv}`);
      expect(dev.source.size).toBe(img.length);
      expect(sha256(dev.source.readAt(0, dev.source.size)), lv).toBe(sha256(img));
    }
  });

  it('the root LV spans both disks as lvm2 reported', () => {
    const segs = json('expected/vg0.json').segments.filter(
      (s: { lv_name: string }) => s.lv_name === 'root',
    );
    expect(segs.map((s: { seg_pe_ranges: string }) => s.seg_pe_ranges.split(':')[0])).toEqual([
      'disk1.img',
      'disk2.img#1',
    ]);
    expect(lvDevice(model, '/dev/vg0/root').members).toEqual(['/dev/sda', '/dev/sdb1']);
  });

  it('the engine probe sees what blkid -p saw in each LV', () => {
    for (const lv of ['home', 'root', 'data']) {
      const want = json(`expected/blkid/${lv}.json`);
      const got = probe(lvDevice(model, `/dev/vg0/${lv}`).source)!;
      expect({ TYPE: got.type, LABEL: got.label, UUID: got.uuid }).toEqual({
        TYPE: want.TYPE,
        LABEL: want.LABEL,
        UUID: want.UUID,
      });
    }
  });

  it('pvs_full equals lvm2 pvs --reportformat json', () => {
    const host = report('expected/host-pvs.json', 'pv').filter((p) => p.vg_name === 'vg0');
    const ours = pvsFull(model);
    expect(ours.map((p) => p.pv_name)).toEqual(host.map((p) => NAMES[p.pv_name!]));
    for (const [i, h] of host.entries()) {
      expect(ours[i]).toEqual({
        pv_name: NAMES[h.pv_name!],
        pv_uuid: undash(h.pv_uuid!),
        pv_fmt: h.pv_fmt,
        pv_size: Number(h.pv_size),
        dev_size: Number(h.dev_size),
        pv_free: Number(h.pv_free),
        pv_used: Number(h.pv_used),
        pv_attr: h.pv_attr,
        pv_pe_count: Number(h.pv_pe_count),
        pv_pe_alloc_count: Number(h.pv_pe_alloc_count),
        pv_tags: h.pv_tags,
        pe_start: Number(h.pe_start),
        pv_mda_count: Number(h.pv_mda_count),
        pv_mda_free: Number(h.pv_mda_free),
      });
    }
  });

  it('vgs_full equals lvm2 vgs --reportformat json', () => {
    const [h] = report('expected/host-vgs.json', 'vg');
    expect(vgsFull(model)).toEqual([hostVg(h!)]);
  });

  it('lvs_full equals lvm2 lvs (inactive: the host has no device-mapper)', () => {
    const act = new LvmActivation(model);
    act.activateAll(false);
    const host = report('expected/host-lvs.json', 'lv');
    const vg = model.vgs[0]!;
    for (const h of host) {
      const name = h.lv_name!.replace(/^\[(.*)\]$/, '$1');
      const lv = vg.lvs.find((l) => l.name === name)!;
      expect(lvStruct(lv, act), name).toEqual(hostLv(h));
      expect(lvRole(vg, lv), name).toBe(h.lv_role);
    }
    expect(lvsFull(model, act).map((l) => l.lv_name)).toEqual(['home', 'root', 'data', 'extra']);
  });

  it('lv_attr shows the LVs active after vg_activate_all, as libguestfs sees them', () => {
    const act = new LvmActivation(model);
    expect(lvsFull(model, act).map((l) => l.lv_attr)).toEqual([
      '-wi-a-----',
      '-wi-a-----',
      '-wi-a-----',
      '-wi-a-----',
    ]);
    act.activate(false, ['vg0']);
    expect(act.devices()).toEqual([]);
    act.activateAll(true);
    expect(act.devices().map((d) => d.name)).toEqual(lvs(model));
  });

  it('uuids, canonical names, is_lv', () => {
    const hostPv = report('expected/host-pvs.json', 'pv').find((p) => p.pv_name === 'disk1.img')!;
    expect(pvuuid(model, '/dev/sda')).toBe(hostPv.pv_uuid);
    expect(vguuid(model, 'vg0')).toBe(report('expected/host-vgs.json', 'vg')[0]!.vg_uuid);
    const hostRoot = report('expected/host-lvs.json', 'lv').find((l) => l.lv_name === 'root')!;
    expect(lvuuid(model, '/dev/vg0/root')).toBe(hostRoot.lv_uuid);
    expect(lvCanonical(model, '/dev/mapper/vg0-root')).toBe('/dev/vg0/root');
    expect(isLv(model, '/dev/vg0/home')).toBe(true);
    expect(isLv(model, '/dev/sda')).toBe(false);
    expect(() => pvuuid(model, '/dev/sdz')).toThrow(EngineError);
  });
});

function hostVg(h: Record<string, string>) {
  return {
    vg_name: h.vg_name,
    vg_uuid: undash(h.vg_uuid!),
    vg_fmt: h.vg_fmt,
    vg_attr: h.vg_attr,
    vg_size: Number(h.vg_size),
    vg_free: Number(h.vg_free),
    vg_sysid: h.vg_sysid,
    vg_extent_size: Number(h.vg_extent_size),
    vg_extent_count: Number(h.vg_extent_count),
    vg_free_count: Number(h.vg_free_count),
    max_lv: Number(h.max_lv),
    max_pv: Number(h.max_pv),
    pv_count: Number(h.pv_count),
    lv_count: Number(h.lv_count),
    snap_count: Number(h.snap_count),
    vg_seqno: Number(h.vg_seqno),
    vg_tags: h.vg_tags,
    vg_mda_count: Number(h.vg_mda_count),
    vg_mda_free: Number(h.vg_mda_free),
  };
}

/**
 * The host's lvs row as an lvm_lv struct. Without device-mapper lvm2 prints 'X' (unknown)
 * for the state, open and health characters; an inactive LV has '-' there.
 */
function hostLv(h: Record<string, string>) {
  const attr = h.lv_attr!.replace(/X/g, '-');
  const pct = (s: string | undefined) => (s ? Number(s) : -1);
  return {
    lv_name: h.lv_name!.replace(/^\[(.*)\]$/, '$1'),
    lv_uuid: undash(h.lv_uuid!),
    lv_attr: attr,
    lv_major: Number(h.lv_major),
    lv_minor: Number(h.lv_minor),
    lv_kernel_major: Number(h.lv_kernel_major),
    lv_kernel_minor: Number(h.lv_kernel_minor),
    lv_size: Number(h.lv_size),
    seg_count: Number(h.seg_count),
    origin: h.origin,
    snap_percent: pct(h.snap_percent),
    copy_percent: pct(h.copy_percent),
    move_pv: h.move_pv,
    lv_tags: h.lv_tags,
    mirror_log: h.mirror_log,
    modules: h.lv_modules,
  };
}

describe('a missing PV makes the VG partial', () => {
  let partial: LvmModel;
  beforeAll(() => {
    partial = scanLvm([members()[0]!]);
  });

  it('vg0 is partial; its PV on disk2 is [unknown] and missing', () => {
    const vg = partial.vgs[0]!;
    expect(vg.partial).toBe(true);
    expect(vgsFull(partial)[0]!.vg_attr).toBe('wz-pn-');
    expect(pvs(partial)).toEqual(['/dev/sda']);
    expect(vg.pvs.find((p) => p.missing)!.name).toBe('[unknown]');
  });

  it('an LV entirely on the present PV reads as before', () => {
    const img = fs.readFileSync(path.join(dir, 'fs', 'home.img'));
    const dev = lvDevice(partial, '/dev/vg0/home');
    expect(sha256(dev.source.readAt(0, dev.source.size))).toBe(sha256(img));
  });

  it('reads touching the missing PV fail with ENOENT naming it; the rest of the LV reads', () => {
    const pv2 = report('expected/host-pvs.json', 'pv').find((p) => p.pv_name === 'disk2.img#1')!;
    const root = lvDevice(partial, '/dev/vg0/root').source;
    const img = fs.readFileSync(path.join(dir, 'fs', 'root.img'));
    expect(sha256(root.readAt(0, 19 * MiB))).toBe(sha256(img.subarray(0, 19 * MiB)));
    const err = catchError(() => root.readAt(19 * MiB - 512, 1024));
    expect(err.kind).toBe('ENOENT');
    expect(err.path).toBe(pv2.pv_uuid);
    expect(catchError(() => lvDevice(partial, '/dev/vg0/data').source.readAt(0, 512)).kind).toBe(
      'ENOENT',
    );
  });

  it('LVs on the missing PV are not active and their attr shows partial', () => {
    const act = new LvmActivation(partial);
    const byName = new Map(lvsFull(partial, act).map((l) => [l.lv_name, l.lv_attr]));
    expect(byName.get('home')).toBe('-wi-a-----');
    expect(byName.get('data')).toBe('-wi-----p-');
    expect(act.devices().map((d) => d.name)).toEqual(['/dev/vg0/home']);
  });
});

describe('metadata copies', () => {
  it('the newest copy by seqno wins when PVs disagree', () => {
    const vg0 = json('expected/vg0.json');
    const m = scanLvm(members('disk1-stale.img'));
    expect(m.problems).toEqual([]);
    expect(m.vgs[0]!.meta.seqno).toBe(vg0.seqnoAfter);
    expect(m.vgs[0]!.metadataFrom.device).toBe('/dev/sdb1');
    expect(lvs(m)).toContain('/dev/vg0/extra');
  });

  it('a newest copy with a bad checksum is skipped and the older copy is used', () => {
    const vg0 = json('expected/vg0.json');
    const [d1, d2] = members('disk1-stale.img');
    const bytes = d2!.source.readAt(0, d2!.source.size);
    const text = scanLvm([d2!]).vgs[0]!.metadataFrom.offset;
    bytes[text + 100]! ^= 0x01; // one bit of the committed text on disk2
    const m = scanLvm([d1!, { name: '/dev/sdb1', source: new MemorySource(bytes) }]);
    expect(m.problems.map((p) => [p.device, p.error.kind, p.error.structure])).toEqual([
      ['/dev/sdb1', 'corrupt', TEXT_STRUCTURE],
    ]);
    expect(m.vgs[0]!.meta.seqno).toBe(vg0.seqnoBefore);
    expect(lvs(m)).not.toContain('/dev/vg0/extra');
    // The PV whose copy was damaged is still a PV of the VG: its label is fine.
    expect(m.vgs[0]!.partial).toBe(false);
  });
});

describe('vgwrap: a committed text that wraps around the metadata buffer', () => {
  it('pvck saw the wrap, and the VG reads', () => {
    const hdr = fs.readFileSync(path.join(dir, 'expected/wrap.mda.txt'), 'utf8');
    const num = (re: RegExp) => Number(re.exec(hdr)![1]);
    const size = num(/mda_header_1\.size (\d+)/);
    const off = num(/raw_locn\[0\]\.offset (\d+)/);
    const len = num(/raw_locn\[0\]\.size (\d+)/);
    expect(off + len).toBeGreaterThan(size);
    const m = scanLvm([
      { name: '/dev/sdc', source: new NodeFileSource(path.join(dir, 'wrap.img')) },
    ]);
    expect(m.problems).toEqual([]);
    const h = report('expected/host-wrap-lvs.json', 'lv')[0]!;
    const act = new LvmActivation(m);
    act.activateAll(false);
    expect(lvStruct(m.lvs[0]!, act)).toEqual(hostLv(h));
    expect(vgsFull(m)).toEqual([hostVg(report('expected/host-wrap-vgs.json', 'vg')[0]!)]);
    const img = fs.readFileSync(path.join(dir, 'fs', 'lvw.img'));
    const dev = lvDevice(m, '/dev/vgwrap/lvw').source;
    expect(sha256(dev.readAt(0, dev.size))).toBe(sha256(img));
  });
});

function catchError(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('writes through a linear LV land in the extents lvm2 reported', () => {
  /** A writable in-memory copy of an image. */
  function writable(bytes: Uint8Array, name: string): BlockSource {
    const src = new MemorySource(bytes, name);
    return Object.assign(src, {
      writeAt(offset: number, data: Uint8Array) {
        bytes.set(data, offset);
      },
    });
  }

  it('a write across the disk1/disk2 boundary of root goes to both PVs', () => {
    const d1 = new Uint8Array(fs.readFileSync(path.join(dir, 'disk1.img')));
    const d2 = new Uint8Array(fs.readFileSync(path.join(dir, 'disk2.img')));
    const m = scanLvm([
      { name: '/dev/sda', source: writable(d1, 'disk1') },
      { name: '/dev/sdb1', source: disk2Partition(writable(d2, 'disk2')) },
    ]);
    const root = lvDevice(m, '/dev/vg0/root').source;
    expect(typeof root.writeAt).toBe('function');
    const data = Uint8Array.from({ length: 8192 }, (_, i) => (i * 7) & 0xff);
    root.writeAt!(19 * MiB - 4096, data);
    expect(root.readAt(19 * MiB - 4096, 8192)).toEqual(data);
    // lvm2: root's first segment is disk1 PEs 4-22, its second disk2#1 PEs 0-10.
    const segs = json('expected/vg0.json').segments.filter(
      (s: { lv_name: string }) => s.lv_name === 'root',
    );
    const pe = (s: { seg_pe_ranges: string }) => Number(/:(\d+)-/.exec(s.seg_pe_ranges)![1]);
    const pvs = report('expected/host-pvs.json', 'pv');
    const peStart = (img: string) => Number(pvs.find((p) => p.pv_name === img)!.pe_start);
    const part = json('expected/disk2.sfdisk.json').partitiontable.partitions[0].start * 512;
    const end1 = peStart('disk1.img') + (pe(segs[0]) + 19) * MiB;
    const start2 = part + peStart('disk2.img#1') + pe(segs[1]) * MiB;
    expect(d1.subarray(end1 - 4096, end1)).toEqual(data.subarray(0, 4096));
    expect(d2.subarray(start2, start2 + 4096)).toEqual(data.subarray(4096));
  });

  it('read-only members give read-only LVs', () => {
    expect(lvDevice(model, '/dev/vg0/root').source.writeAt).toBeUndefined();
  });
});

describe('a PV in no VG', () => {
  it('is listed by pvs and pvs_full as lvm2 reports an orphan', () => {
    const m = scanLvm([
      ...members(),
      { name: '/dev/sdd', source: new NodeFileSource(path.join(dir, 'orphan.img')) },
    ]);
    expect(m.problems).toEqual([]);
    expect(pvs(m)).toEqual(['/dev/sda', '/dev/sdb1', '/dev/sdd']);
    const h = report('expected/host-pvs.json', 'pv').find((p) => p.pv_name === 'orphan.img')!;
    expect(h.vg_name).toBe('');
    expect(pvsFull(m).at(-1)).toEqual({
      pv_name: '/dev/sdd',
      pv_uuid: undash(h.pv_uuid!),
      pv_fmt: h.pv_fmt,
      pv_size: Number(h.pv_size),
      dev_size: Number(h.dev_size),
      pv_free: Number(h.pv_free),
      pv_used: Number(h.pv_used),
      pv_attr: h.pv_attr,
      pv_pe_count: Number(h.pv_pe_count),
      pv_pe_alloc_count: Number(h.pv_pe_alloc_count),
      pv_tags: h.pv_tags,
      pe_start: Number(h.pe_start),
      pv_mda_count: Number(h.pv_mda_count),
      pv_mda_free: Number(h.pv_mda_free),
    });
  });
});
