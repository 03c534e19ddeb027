// The disk bar's segments for the e2e fixtures, from the engine's inventory, against the
// partition layout sfdisk --json recorded: every partition once, logicals inside their
// extended partition, and free space wherever sfdisk's numbers leave more than 1 MiB.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../engine/guestfs/inventory.js';
import { NodeFileSource } from '../engine/io/node-source.js';
import { ensureFixture } from '../../tests/helpers/fixtures.js';
import { SuppliedFilesEnvironment } from '../worker/browser-env.js';
import { SessionHost } from '../worker/session.js';
import { MIN_FREE_BYTES, type Segment, colourOf, layoutDisk } from './layout.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('e2e');
});

function inventoryOf(files: string[]): Inventory {
  const host = new SessionHost<string>(
    (names) =>
      new SuppliedFilesEnvironment(
        names.map((n) => {
          const source = new NodeFileSource(path.join(dir, n));
          return { name: n, source, stats: source.stats };
        }),
      ),
  );
  const r = host.open(files);
  if (r.status !== 'opened') throw new Error(r.status);
  return r.inventory;
}

interface SfdiskPart {
  node: string;
  start: number;
  size: number;
}
function sfdisk(name: string): { sectorsize: number; partitions: SfdiskPart[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.sfdisk.json`), 'utf8'))
    .partitiontable;
}

/** Segments as [kind, start, size] in bytes (partitions also name their device). */
function flat(segs: Segment[]): (string | number)[][] {
  return segs.map((s) =>
    s.kind === 'free' ? ['free', s.start, s.size] : [s.device.name, s.start, s.size],
  );
}

/** What the bar must show for a range, from sfdisk's partitions within it. */
function expectedBar(
  parts: SfdiskPart[],
  ss: number,
  from: number,
  to: number,
): (string | number)[][] {
  const out: (string | number)[][] = [];
  let at = from;
  for (const p of [...parts].sort((a, b) => a.start - b.start)) {
    const start = p.start * ss;
    if (start - at > MIN_FREE_BYTES) out.push(['free', at, start - at]);
    out.push([`/dev/sda${/(\d+)$/.exec(p.node)![1]}`, start, p.size * ss]);
    at = start + p.size * ss;
  }
  if (to - at > MIN_FREE_BYTES) out.push(['free', at, to - at]);
  return out;
}

describe('layoutDisk', () => {
  it('lays out a GPT disk with free space between and after the partitions', () => {
    const inv = inventoryOf(['parts.qcow2']);
    const disk = inv.disks[0]!;
    const t = sfdisk('parts');
    const segs = layoutDisk(inv, disk);
    expect(flat(segs)).toEqual(expectedBar(t.partitions, t.sectorsize, 0, disk.virtualSize));
    expect(segs.filter((s) => s.kind === 'free')).toHaveLength(2);
    expect(segs.map(colourOf)).toEqual(['unknown', 'ext', 'free', 'fat', 'swap', 'free']);
  });

  it('puts MBR logical partitions inside their extended partition', () => {
    const inv = inventoryOf(['disk.qcow2', 'base.qcow2']);
    const disk = inv.disks[0]!;
    const t = sfdisk('disk');
    const primary = t.partitions.filter((p) => Number(/(\d+)$/.exec(p.node)![1]) <= 4);
    const logical = t.partitions.filter((p) => Number(/(\d+)$/.exec(p.node)![1]) > 4);
    const segs = layoutDisk(inv, disk);
    expect(flat(segs)).toEqual(expectedBar(primary, t.sectorsize, 0, disk.virtualSize));
    const ext = segs.find((s) => s.kind === 'partition' && s.device.partKind === 'extended');
    expect(ext?.kind).toBe('partition');
    const extent = primary.find((p) => p.node.endsWith('2'))!;
    const children = ext?.kind === 'partition' ? (ext.children ?? []) : [];
    expect(flat(children)).toEqual(
      expectedBar(
        logical,
        t.sectorsize,
        extent.start * t.sectorsize,
        (extent.start + extent.size) * t.sectorsize,
      ),
    );
    expect(colourOf(ext!)).toBe('extended');
  });

  it('shows a disk without a partition table as one whole segment', () => {
    const inv = inventoryOf(['notes.txt']);
    const segs = layoutDisk(inv, inv.disks[0]!);
    expect(segs).toHaveLength(1);
    expect(segs[0]!.kind).toBe('whole');
    expect(segs[0]!.size).toBe(fs.statSync(path.join(dir, 'notes.txt')).size);
    expect(colourOf(segs[0]!)).toBe('unknown');
  });
});
