// LVM2 images from other projects' test suites (../shared/testdata, MANIFEST.md §3d, §4):
// dissect.volume's lvm.bin (VG vg_test, one striped LV of DE AD BE EF), its historic thin
// and mirror images (sector s holds 512 × (s & 0xff)), and cryptsetup's blkid-luks2-pv.img
// (a LUKS2 header that also carries an LVM2 PV label).

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { lvs, pvs, vgs } from '../../src/engine/volumes/lvm/api.js';
import { type LvmModel, scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import { readTestdata, testdataFile } from '../helpers/fixtures.js';

const image = (rel: string) => ({ name: '/dev/sda', source: new MemorySource(readTestdata(rel)) });

function read(m: LvmModel, name: string, length?: number): Uint8Array {
  const d = m.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no ${name}`);
  return d.source.readAt(0, length ?? d.source.size);
}

/** dissect's historic pattern: sector s = 512 bytes of s & 0xff, for s < 4096. */
function expectSectorPattern(b: Uint8Array): void {
  for (let s = 0; s < 4096; s++) {
    const sector = b.subarray(s * 512, (s + 1) * 512);
    if (!sector.every((x) => x === (s & 0xff))) throw new Error(`sector ${s} differs`);
  }
}

describe('dissect.volume lvm/lvm.bin', () => {
  const m = scanLvm([image('dissect.volume/lvm/lvm.bin.gz')]);

  it('VG vg_test with the ids, extent size and PV the dissect test asserts', () => {
    expect(m.problems).toEqual([]);
    const vg = m.vgs[0]!;
    expect([vg.name, vg.id, vg.meta.extentSize]).toEqual([
      'vg_test',
      '8HfEjs-9DNH-0dy1-U5u8-EYBF-Vce4-8BcSWU',
      8192,
    ]);
    expect(vg.meta.pvs.map((p) => [p.key, p.id, p.deviceHint])).toEqual([
      ['pv0', '2Svcy0-cRH2-3Xrz-87Fv-zNUI-9CoI-Ycoyql', '/dev/loop1'],
    ]);
  });

  it('LV lv_test: striped, one segment of one extent, DE AD BE EF ×256 then zeros', () => {
    const lv = m.vgs[0]!.lvs.find((l) => l.name === 'lv_test')!;
    expect(lv.meta.id).toBe('TnYdWo-zRE9-wf2T-5nt0-M1aD-vtoP-fASCxK');
    expect(lv.meta.segments.map((s) => [s.type, s.extentCount])).toEqual([['striped', 1]]);
    expect(lvs(m)).toEqual(['/dev/vg_test/lv_test']);
    const b = read(m, '/dev/vg_test/lv_test', 2048);
    const dead = Uint8Array.from({ length: 1024 }, (_, i) => [0xde, 0xad, 0xbe, 0xef][i % 4]!);
    expect(b.subarray(0, 1024)).toEqual(dead);
    expect(b.subarray(1024, 2048).every((x) => x === 0)).toBe(true);
  });
});

describe('dissect.volume historic thin and mirror images (2023-07)', () => {
  it('thin LVs lv-1 and lv-2 hold the sector pattern', () => {
    const m = scanLvm([image('dissect.volume/lvm/lvm-thin.2023-07.bin.gz')]);
    expect(m.problems).toEqual([]);
    expect(lvs(m)).toEqual(['/dev/lvm-thin/lv-1', '/dev/lvm-thin/lv-2']);
    expectSectorPattern(read(m, '/dev/lvm-thin/lv-1', 4096 * 512));
    expectSectorPattern(read(m, '/dev/lvm-thin/lv-2', 4096 * 512));
  });

  it('the mirror LV across both images holds the pattern, and reads from either image alone', () => {
    const both = [
      image('dissect.volume/lvm/lvm-mirror-1.2023-07.bin.gz'),
      { ...image('dissect.volume/lvm/lvm-mirror-2.2023-07.bin.gz'), name: '/dev/sdb' },
    ];
    const m = scanLvm(both);
    expect(m.problems).toEqual([]);
    expect(pvs(m)).toEqual(['/dev/sda', '/dev/sdb']);
    expect(lvs(m)).toEqual(['/dev/lvm-mirror/mirrormirror']);
    expectSectorPattern(read(m, '/dev/lvm-mirror/mirrormirror', 4096 * 512));
    for (const one of both) {
      const alone = scanLvm([one]);
      expect(alone.vgs[0]!.partial).toBe(true);
      expectSectorPattern(read(alone, '/dev/lvm-mirror/mirrormirror', 4096 * 512));
    }
  });
});

describe('cryptsetup blkid-luks2-pv.img: a LUKS2 header that also carries an LVM2 label', () => {
  it('is scanned as the PV blkid -p reports (LVM2_member), without crashing', () => {
    const m = scanLvm([image('cryptsetup/blkid-luks2-pv.img.xz')]);
    const out = execFileSync(
      'blkid',
      ['-p', '-o', 'export', testdataFile('cryptsetup/blkid-luks2-pv.img.xz')],
      {
        encoding: 'utf8',
      },
    );
    const blkid = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('=', 2) as [string, string]),
    );
    expect(blkid.TYPE).toBe('LVM2_member');
    expect(m.problems).toEqual([]);
    expect(pvs(m)).toEqual(['/dev/sda']);
    expect(m.pvs[0]!.id).toBe(blkid.UUID!.replace(/-/g, ''));
    // Its metadata area holds a VG, as lvm2 would find it too.
    expect(vgs(m)).toEqual(['vg00']);
  });
});
