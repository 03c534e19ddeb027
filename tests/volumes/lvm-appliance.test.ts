// LVM2 LVs that only device-mapper can fill (fixtures/build-lvm.sh part 2, made in the
// libguestfs appliance): striped, raid1, mirror, raid5, raid6, raid10, a thin pool with a
// thin volume and a thin snapshot, a thick snapshot. Expected values: the pattern bytes the
// appliance's dd wrote (expected/vgx-content.json), what libguestfs itself returned for
// pvs/vgs/lvs/*_full/uuids/sizes in a fresh read-only boot, and the host's lvm2 reports.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import type { MemberDevice } from '../../src/engine/volumes/types.js';
import { type LvmModel, scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import {
  LvmActivation,
  type GuestfsLvmLv,
  isLv,
  lvCanonical,
  lvStruct,
  lvs,
  lvsFull,
  lvuuid,
  pvs,
  pvsFull,
  pvuuid,
  vglvuuids,
  vgpvuuids,
  vgs,
  vgsFull,
  vguuid,
} from '../../src/engine/volumes/lvm/api.js';
import { lvRole } from '../../src/engine/volumes/lvm/attrs.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

let dir: string;
const MiB = 1 << 20;
const NAMES = ['/dev/sda', '/dev/sdb', '/dev/sdc', '/dev/sdd', '/dev/sde'];
const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const undash = (s: string) => s.replace(/-/g, '');

function members(drop: number[] = []): MemberDevice[] {
  return NAMES.flatMap((name, i) =>
    drop.includes(i) ? [] : [{ name, source: new NodeFileSource(file(`x${i + 1}.img`)) }],
  );
}

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
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);

/** The bytes an LV must hold: pattern pieces on zeros. */
function expectedBytes(lv: string): Uint8Array {
  const c = JSON.parse(text('expected/vgx-content.json'))[lv];
  const out = new Uint8Array(c.size);
  for (const [at, len, pat, from] of c.pieces as [number, number, string, number][]) {
    out.set(fs.readFileSync(file(pat)).subarray(from, from + len), at);
  }
  return out;
}

let model: LvmModel;
beforeAll(() => {
  dir = ensureFixture('lvm');
  model = scanLvm(members());
});

function dev(m: LvmModel, lv: string) {
  const d = m.devices.find((x) => x.name === `/dev/vgx/${lv}`);
  if (!d) throw new Error(`no /dev/vgx/${lv}`);
  return d.source;
}

const LVS = ['str', 'r1', 'mir', 'r5', 'r6', 'r10', 'thin1', 'origin', 'snap'];

describe('vgx: every LV type device-mapper wrote', () => {
  it('scans without problems', () => {
    expect(model.problems).toEqual([]);
  });

  for (const lv of LVS) {
    it(`${lv} holds what dd wrote`, () => {
      const want = expectedBytes(lv);
      const src = dev(model, lv);
      expect(src.size).toBe(want.length);
      expect(sha256(src.readAt(0, src.size))).toBe(sha256(want));
    });
  }

  it('the thin snapshot (activation skip, not listed) keeps the old thin1 blocks', () => {
    const vg = model.vgs[0]!;
    expect(lvs(model)).not.toContain('/dev/vgx/tsnap');
    const src = vg.view.lvSource('tsnap');
    expect(sha256(src.readAt(0, src.size))).toBe(sha256(expectedBytes('tsnap')));
  });

  it('device sizes equal the kernel block device sizes libguestfs reported', () => {
    for (const lv of lines('expected/libguestfs/lvs.txt')) {
      const name = lv.split('/').pop()!;
      expect(dev(model, name).size, lv).toBe(
        Number(text(`expected/libguestfs/size-${name}.txt`).trim()),
      );
    }
  });
});

describe('vgx: the libguestfs API answers', () => {
  it('pvs, vgs, lvs', () => {
    expect(pvs(model)).toEqual(lines('expected/libguestfs/pvs.txt'));
    expect(vgs(model)).toEqual(lines('expected/libguestfs/vgs.txt'));
    expect(lvs(model)).toEqual(lines('expected/libguestfs/lvs.txt'));
  });

  it('pvs_full and vgs_full, field for field', () => {
    const str = (o: object) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    expect(pvsFull(model).map(str)).toEqual(structs('expected/libguestfs/pvs-full.txt'));
    expect(vgsFull(model).map(str)).toEqual(structs('expected/libguestfs/vgs-full.txt'));
  });

  it('lvs_full in the same order, every field but the kernel-only ones', () => {
    const lg = structs('expected/libguestfs/lvs-full.txt');
    const ours = lvsFull(model);
    expect(ours.map((l) => l.lv_name)).toEqual(lg.map((l) => l.lv_name));
    // Only a running kernel knows device numbers, sync and usage percentages.
    const kernelOnly = ['lv_kernel_major', 'lv_kernel_minor', 'snap_percent', 'copy_percent'];
    for (const [i, l] of lg.entries()) {
      const o = ours[i]! as unknown as Record<string, unknown>;
      for (const k of Object.keys(l))
        if (!kernelOnly.includes(k)) expect(String(o[k]), `${l.lv_name}.${k}`).toBe(l[k]);
      expect(o.lv_kernel_major).toBe(-1);
    }
  });

  it('uuid actions, canonical names, is_lv', () => {
    expect(vguuid(model, 'vgx')).toBe(text('expected/libguestfs/vguuid.txt').trim());
    expect(vgpvuuids(model, 'vgx')).toEqual(lines('expected/libguestfs/vgpvuuids.txt'));
    expect(vglvuuids(model, 'vgx')).toEqual(lines('expected/libguestfs/vglvuuids.txt'));
    expect(pvuuid(model, '/dev/sda')).toBe(text('expected/libguestfs/pvuuid-sda.txt').trim());
    expect(lvuuid(model, '/dev/vgx/str')).toBe(text('expected/libguestfs/lvuuid-str.txt').trim());
    expect(lvCanonical(model, '/dev/mapper/vgx-str')).toBe(
      text('expected/libguestfs/canonical-mapper-str.txt').trim(),
    );
    expect(String(isLv(model, '/dev/vgx/r5'))).toBe(
      text('expected/libguestfs/is-lv-r5.txt').trim(),
    );
    expect(String(isLv(model, '/dev/sda'))).toBe(text('expected/libguestfs/is-lv-sda.txt').trim());
    expect(isLv(model, '/dev/mapper/vgx-r5_rimage_0')).toBe(false);
  });

  it('every LV, hidden ones included, matches the host lvm2 report (inactive)', () => {
    const act = new LvmActivation(model);
    act.activateAll(false);
    const vg = model.vgs[0]!;
    const host = JSON.parse(text('expected/vgx-host-lvs.json')).report[0].lv as Record<
      string,
      string
    >[];
    // lvs -a shows every LV but the internal snapshotN behind a thick snapshot.
    expect(host.length).toBe(
      vg.lvs.filter((l) => !l.meta.segments.some((s) => s.type === 'snapshot')).length,
    );
    for (const h of host) {
      const name = h.lv_name!.replace(/^\[(.*)\]$/, '$1');
      const lv = vg.lvs.find((l) => l.name === name)!;
      const ours: GuestfsLvmLv = lvStruct(lv, act);
      expect(ours.lv_uuid, name).toBe(undash(h.lv_uuid!));
      expect(ours.lv_attr, name).toBe(h.lv_attr!.replace(/X/g, '-'));
      expect(ours.lv_size, name).toBe(Number(h.lv_size));
      expect(ours.modules, name).toBe(h.lv_modules);
      expect(ours.origin, name).toBe(h.origin);
      expect(lvRole(vg, lv), name).toBe(h.lv_role);
    }
  });
});

describe('vgx with PVs missing', () => {
  it('one PV gone: raid5/6/10 rebuild from parity or copies, mirrors read the other leg', () => {
    for (const drop of [0, 1, 2, 3, 4]) {
      const m = scanLvm(members([drop]));
      expect(m.vgs[0]!.partial).toBe(true);
      for (const lv of ['r1', 'mir', 'r5', 'r6', 'r10']) {
        const src = dev(m, lv);
        expect(sha256(src.readAt(0, src.size)), `${lv} without ${NAMES[drop]}`).toBe(
          sha256(expectedBytes(lv)),
        );
      }
    }
  });

  it('two PVs gone: raid6 still reads (P+Q)', () => {
    for (let a = 0; a < 5; a++) {
      for (let b = a + 1; b < 5; b++) {
        const src = dev(scanLvm(members([a, b])), 'r6');
        expect(sha256(src.readAt(0, src.size)), `r6 without ${NAMES[a]},${NAMES[b]}`).toBe(
          sha256(expectedBytes('r6')),
        );
      }
    }
  });

  it('a striped LV on a missing PV fails with ENOENT where it touches it', () => {
    const host = JSON.parse(text('expected/vgx-host-lvs.json')).report[0].lv as Record<
      string,
      string
    >[];
    const str = host.find((l) => l.lv_name === 'str')!;
    const first = Number(/^x(\d)\.img/.exec(str.devices!)![1]) - 1;
    const m = scanLvm(members([first]));
    try {
      dev(m, 'str').readAt(0, 4096);
      expect.unreachable();
    } catch (e) {
      expect((e as EngineError).kind).toBe('ENOENT');
    }
  });
});

describe('vgx damaged', () => {
  /** Bytes of image xN with `patch` applied, as a member list. */
  function patched(
    image: number,
    patch: (b: Uint8Array, pvByte: (extent: number) => number) => void,
  ): MemberDevice[] {
    return members().map((m, i) => {
      if (i !== image) return m;
      const b = m.source.readAt(0, m.source.size);
      const peStart = Number(
        JSON.parse(text('expected/vgx-host-pvs.json')).report[0].pv[i].pe_start,
      );
      patch(b, (extent) => peStart + extent * MiB);
      return { name: m.name, source: new MemorySource(b) };
    });
  }
  /** Image index and first extent of a hidden LV, from the host report's devices column. */
  function where(lv: string): [number, number] {
    const host = JSON.parse(text('expected/vgx-host-lvs.json')).report[0].lv as Record<
      string,
      string
    >[];
    const d = host.find((l) => l.lv_name === `[${lv}]` || l.lv_name === lv)!.devices!;
    const m = /^x(\d)\.img\((\d+)\)/.exec(d)!;
    return [Number(m[1]) - 1, Number(m[2])];
  }
  function readError(m: MemberDevice[], lv: string): EngineError {
    try {
      const src = dev(scanLvm(m), lv);
      src.readAt(0, src.size);
    } catch (e) {
      if (e instanceof EngineError) return e;
      throw e;
    }
    throw new Error('expected an error');
  }

  it('thin-pool superblock checksum', () => {
    const [img, ext] = where('pool_tmeta');
    const e = readError(
      patched(img, (b, at) => (b[at(ext) + 100]! ^= 1)),
      'thin1',
    );
    expect([e.kind, e.structure]).toEqual(['corrupt', 'thin-pool superblock']);
  });

  it('thin-pool btree node checksum (the data mapping root)', () => {
    const [img, ext] = where('pool_tmeta');
    const e = readError(
      patched(img, (b, at) => {
        const sb = at(ext);
        const root = Number(
          new DataView(b.buffer, b.byteOffset + sb + 320, 8).getBigUint64(0, true),
        );
        b[sb + root * 4096 + 64]! ^= 1;
      }),
      'thin1',
    );
    expect([e.kind, e.structure]).toEqual(['corrupt', 'thin-pool btree node']);
  });

  it('snapshot COW header magic', () => {
    const [img, ext] = where('snap');
    const e = readError(
      patched(img, (b, at) => (b[at(ext)]! ^= 0xff)),
      'snap',
    );
    expect([e.kind, e.structure]).toEqual(['corrupt', 'snapshot COW header']);
  });

  it('a raid image whose rmeta superblock is damaged', () => {
    const [img, ext] = where('r5_rmeta_0');
    const e = readError(
      patched(img, (b, at) => (b[at(ext)]! ^= 0x55)),
      'r5',
    );
    expect([e.kind, e.structure]).toEqual(['corrupt', 'dm-raid superblock']);
  });
});
