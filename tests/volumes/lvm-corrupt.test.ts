// Damaged LVM2 structures, one field at a time, on the host-made vg0 (fixtures/build-lvm.sh):
// each must come back as an EngineError of the right kind naming the right structure,
// recorded per device by scanLvm without stopping the scan.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { type BlockSource, MemorySource, slice } from '../../src/engine/io/block-source.js';
import { LABEL_STRUCTURE, lvmCrc, readPvLabel } from '../../src/engine/volumes/lvm/label.js';
import { MDA_STRUCTURE, TEXT_STRUCTURE, readMdaHeader } from '../../src/engine/volumes/lvm/mda.js';
import { METADATA_STRUCTURE } from '../../src/engine/volumes/lvm/vg-metadata.js';
import { PV_STRUCTURE } from '../../src/engine/volumes/lvm/vg-view.js';
import { type LvmModel, scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import type { MemberDevice } from '../../src/engine/volumes/types.js';
import { ensureFixture } from '../helpers/fixtures.js';

let disk1: Uint8Array;
let disk2: BlockSource;

beforeAll(() => {
  const dir = ensureFixture('lvm');
  disk1 = new Uint8Array(fs.readFileSync(path.join(dir, 'disk1.img')));
  const p = JSON.parse(fs.readFileSync(path.join(dir, 'expected/disk2.sfdisk.json'), 'utf8'))
    .partitiontable.partitions[0];
  disk2 = slice(
    new MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, 'disk2.img')))),
    p.start * 512,
    p.size * 512,
  );
});

function withDisk1(bytes: Uint8Array, others = true): MemberDevice[] {
  const m: MemberDevice[] = [{ name: '/dev/sda', source: new MemorySource(bytes) }];
  if (others) m.push({ name: '/dev/sdb1', source: disk2 });
  return m;
}
const problemsOf = (m: LvmModel) =>
  m.problems.map((p) => [p.device, p.error.kind, p.error.structure]);

/** Replace disk1's committed metadata text and fix the raw_locn and header checksums. */
function rewriteText(edit: (text: string) => string): Uint8Array {
  const b = disk1.slice();
  const area = readPvLabel(new MemorySource(b))!.metadataAreas[0]!;
  const rl = readMdaHeader(new MemorySource(b), area).rawLocns[0]!;
  const at = area.offset + rl.offset;
  const old = new TextDecoder('latin1').decode(b.subarray(at, at + rl.size));
  const next = edit(old);
  expect(next).not.toBe(old);
  const bytes = Uint8Array.from(next, (c) => c.charCodeAt(0));
  b.fill(0, at, at + rl.size);
  b.set(bytes, at);
  const dv = new DataView(b.buffer);
  const locn = area.offset + 40;
  dv.setBigUint64(locn + 8, BigInt(bytes.length), true);
  dv.setUint32(locn + 16, lvmCrc(bytes), true);
  dv.setUint32(area.offset, lvmCrc(b.subarray(area.offset + 4, area.offset + 512)), true);
  return b;
}

function thrown(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('label', () => {
  it('a bad crc_xl is corrupt; the scan records it and the VG goes partial', () => {
    const b = disk1.slice();
    b[512 + 100]! ^= 0x01; // inside the pv_header, covered by the label CRC
    const e = thrown(() => readPvLabel(new MemorySource(b)));
    expect([e.kind, e.structure, e.offset]).toEqual(['corrupt', LABEL_STRUCTURE, 512 + 16]);
    const m = scanLvm(withDisk1(b));
    expect(problemsOf(m)).toEqual([['/dev/sda', 'corrupt', LABEL_STRUCTURE]]);
    expect(m.vgs[0]!.partial).toBe(true);
  });

  it('sector_xl naming another sector is corrupt', () => {
    const b = disk1.slice();
    b[512 + 8] = 3;
    expect(thrown(() => readPvLabel(new MemorySource(b))).structure).toBe(LABEL_STRUCTURE);
  });

  it('no LABELONE: not a PV, no problem', () => {
    const b = disk1.slice();
    b[512] = 0x4d;
    expect(readPvLabel(new MemorySource(b))).toBeUndefined();
    expect(scanLvm(withDisk1(b, false)).problems).toEqual([]);
  });
});

describe('metadata area', () => {
  it('a bad mda_header checksum is corrupt; the other PV still provides the VG', () => {
    const b = disk1.slice();
    b[4096 + 60]! ^= 0x10; // raw_locn[0].offset's high bytes: covered by checksum_xl
    const m = scanLvm(withDisk1(b));
    expect(problemsOf(m)).toEqual([['/dev/sda', 'corrupt', MDA_STRUCTURE]]);
    expect(m.vgs.map((v) => v.name)).toEqual(['vg0']);
    expect(m.vgs[0]!.partial).toBe(false);
  });

  it('a bad mda magic with a fixed-up checksum is still corrupt', () => {
    const b = disk1.slice();
    b[4096 + 5] = 0x58;
    new DataView(b.buffer).setUint32(4096, lvmCrc(b.subarray(4096 + 4, 4096 + 512)), true);
    expect(
      thrown(() => readMdaHeader(new MemorySource(b), { offset: 4096, size: 1044480 })).structure,
    ).toBe(MDA_STRUCTURE);
  });
});

describe('metadata text', () => {
  it('a syntax error (a section brace removed) is corrupt at an offset inside the text', () => {
    const b = rewriteText((t) => t.replace('logical_volumes {', 'logical_volumes  '));
    const m = scanLvm(withDisk1(b, false));
    expect(problemsOf(m)).toEqual([['/dev/sda', 'corrupt', TEXT_STRUCTURE]]);
    const off = m.problems[0]!.error.offset!;
    expect(off).toBeGreaterThan(4096 + 512);
    expect(off).toBeLessThan(4096 + 1044480);
  });

  it('an unterminated string is corrupt', () => {
    const b = rewriteText((t) => t.replace('format = "lvm2"', 'format = "lvm2'));
    expect(problemsOf(scanLvm(withDisk1(b, false)))).toEqual([
      ['/dev/sda', 'corrupt', TEXT_STRUCTURE],
    ]);
  });

  it("extents past a PV's pe_count are corrupt metadata", () => {
    const b = rewriteText((t) => t.replace(/pe_count = 23/, 'pe_count = 10'));
    expect(problemsOf(scanLvm(withDisk1(b, false)))).toEqual([
      ['/dev/sda', 'corrupt', METADATA_STRUCTURE],
    ]);
  });

  it('a segment_count that disagrees with the segments is corrupt metadata', () => {
    const b = rewriteText((t) => t.replace('segment_count = 2', 'segment_count = 3'));
    expect(problemsOf(scanLvm(withDisk1(b, false)))[0]).toEqual([
      '/dev/sda',
      'corrupt',
      METADATA_STRUCTURE,
    ]);
  });

  it('a segment type we do not read is unsupported, named, and only for that LV', () => {
    const b = rewriteText((t) => t.replace(/(home \{[\s\S]*?type = )"striped"/, '$1"writecache"'));
    const m = scanLvm(withDisk1(b));
    const home = m.devices.find((d) => d.name === '/dev/vg0/home')!;
    const e = thrown(() => home.source.readAt(0, 512));
    expect([e.kind, e.feature]).toEqual(['unsupported', 'LVM segment type writecache']);
    expect(m.devices.find((d) => d.name === '/dev/vg0/data')!.source.readAt(0, 512).length).toBe(
      512,
    );
  });
});

describe('extents past the end of the device', () => {
  it('a truncated PV makes the LV extents beyond its end corrupt, not zeros', () => {
    const m = scanLvm(withDisk1(disk1.slice(0, 12 << 20)));
    const root = m.devices.find((d) => d.name === '/dev/vg0/root')!;
    const e = thrown(() => root.source.readAt(0, 512));
    expect([e.kind, e.structure]).toEqual(['corrupt', PV_STRUCTURE]);
    // home's 4 extents end at 5 MiB: still inside the 12 MiB that is left.
    expect(m.devices.find((d) => d.name === '/dev/vg0/home')!.source.readAt(0, 4096).length).toBe(
      4096,
    );
  });
});

describe('edited metadata: a pvmove in progress', () => {
  it('an LV striped over pvmove0, whose mirror legs are PV extents, reads its data', () => {
    // home (disk1 extents 0-3) being moved to free extents 25-28 of disk2: the state lvm2
    // writes while pvmove runs (pvmove0 mirrors old and new places; home maps onto it).
    const b = rewriteText((t) =>
      t
        .replace(/(home \{[\s\S]*?stripes = \[\s*)"pv0", 0/, '$1"pvmove0", 0')
        .replace(
          /logical_volumes \{/,
          `logical_volumes {\n\npvmove0 {\nid = "5eedPM-0000-0000-0000-0000-0000-000001"\nstatus = ["READ", "WRITE", "PVMOVE", "LOCKED"]\nflags = []\nsegment_count = 1\n\nsegment1 {\nstart_extent = 0\nextent_count = 4\n\ntype = "mirror"\nmirror_count = 2\nmirrors = [\n"pv0", 0,\n"pv1", 25\n]\n}\n}\n`,
        ),
    );
    const m = scanLvm(withDisk1(b));
    expect(m.problems).toEqual([]);
    expect(m.devices.map((d) => d.name)).not.toContain('/dev/vg0/pvmove0');
    const home = m.devices.find((d) => d.name === '/dev/vg0/home')!.source;
    const img = fs.readFileSync(path.join(ensureFixture('lvm'), 'fs', 'home.img'));
    expect(Buffer.from(home.readAt(0, home.size)).equals(img)).toBe(true);
  });
});
