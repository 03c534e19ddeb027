// The CLI against independent tools: `convert --to raw` must equal `qemu-img convert -O raw`
// byte for byte, and `filesystems --long --all --json` must agree with `sfdisk --json`
// (partitions) and `blkid -p` (filesystems) on every fixture disk.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture, repoRoot, sha256File } from '../helpers/fixtures.js';

const bin = path.join(repoRoot, 'bin/guestkit.mjs');

function guestkit(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync('node', [path.join(repoRoot, 'scripts/build-cli.mjs')], { cwd: repoRoot });
});

describe('guestkit convert --to raw equals qemu-img convert -O raw', () => {
  const dir = ensureFixture('qcow2');
  const cases = fs
    .readdirSync(path.join(dir, 'expected'))
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      exp: JSON.parse(fs.readFileSync(path.join(dir, 'expected', f), 'utf8')),
    }))
    .filter((c) => typeof c.exp.sha256 === 'string');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-convert-'));

  it('has the variants the issue names', () => {
    const names = cases.map((c) => c.name);
    for (const n of [
      'v2',
      'v3',
      'c512',
      'c2m',
      'zlib',
      'zstd',
      'extl2',
      'datafile',
      'top',
      'snap',
      'zero',
    ]) {
      expect(names).toContain(n);
    }
  });

  for (const c of cases) {
    it(`${c.name}.qcow2`, () => {
      const image = path.join(dir, `${c.name}.qcow2`);
      const out = path.join(tmp, `${c.name}.raw`);
      const r = guestkit('convert', '-a', image, '--to', 'raw', out);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(fs.statSync(out).size).toBe(c.exp.info['virtual-size']);
      expect(sha256File(out)).toBe(c.exp.sha256);
      fs.rmSync(out);
    });
  }
});

interface SfdiskPart {
  node: string;
  start: number;
  size: number;
  type: string;
  bootable?: boolean;
  uuid?: string;
  name?: string;
}
interface Row {
  name: string;
  type: string;
  vfs: string | null;
  label: string | null;
  mbr: string | null;
  size: number;
  parent: string | null;
  uuid: string | null;
  start?: number;
  gpt_type?: string;
  gpt_guid?: string;
  part_name?: string;
}

describe('guestkit filesystems --long --all --json agrees with sfdisk and blkid', () => {
  const dir = ensureFixture('partitions');
  const expected = path.join(dir, 'expected');
  const disks = fs
    .readdirSync(expected)
    .filter((f) => f.endsWith('.img.sfdisk.json'))
    .map((f) => f.replace(/\.sfdisk\.json$/, ''));
  // The qcow2 copies must give exactly what their raw originals give.
  const images = [
    ...disks.map((d) => [d, d]),
    ...['gpt', 'mbr'].map((d) => [`${d}.qcow2`, `${d}.img`]),
  ];

  it('covers MBR with logicals, GPT and 4K-sector GPT', () => {
    expect(disks).toEqual(expect.arrayContaining(['mbr.img', 'gpt.img', 'gpt-4k.img']));
  });

  for (const [image, base] of images as [string, string][]) {
    it(image, () => {
      const sfdisk = JSON.parse(
        fs.readFileSync(path.join(expected, `${base}.sfdisk.json`), 'utf8'),
      ).partitiontable;
      const blkid: { start: number; size: number; export: Record<string, string> }[] = JSON.parse(
        fs.readFileSync(path.join(expected, `${base}.blkid.json`), 'utf8'),
      );
      const r = guestkit('filesystems', '--long', '--all', '--json', '-a', path.join(dir, image));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows: Row[] = JSON.parse(r.stdout);
      const ss: number = sfdisk.sectorsize ?? 512;
      const parts = rows.filter((x) => x.type === 'partition');
      const want = (sfdisk.partitions as SfdiskPart[]).map((p) => {
        const num = Number(/(\d+)$/.exec(p.node)![1]);
        const row: Partial<Row> = {
          name: `/dev/sda${num}`,
          start: p.start * ss,
          size: p.size * ss,
          parent: '/dev/sda',
        };
        if (sfdisk.label === 'gpt') {
          row.gpt_type = p.type;
          row.gpt_guid = p.uuid;
          row.part_name = p.name ?? '';
        } else {
          row.mbr = p.type.padStart(2, '0');
        }
        return row;
      });
      expect(parts.map((p) => pick(p, Object.keys(want[0] ?? {})))).toEqual(want);

      const fsRows = new Map(rows.filter((x) => x.type === 'filesystem').map((x) => [x.name, x]));
      for (const b of blkid) {
        const part = parts.find((p) => p.start === b.start && p.size === b.size);
        expect(part, `a partition at ${b.start}`).toBeDefined();
        const row = fsRows.get(part!.name);
        const type = b.export.TYPE;
        if (!type || type === 'LVM2_member' || type === 'linux_raid_member') {
          expect(row?.vfs ?? 'unknown').toBe('unknown');
          continue;
        }
        expect(row, part!.name).toBeDefined();
        expect({ vfs: row!.vfs, label: row!.label, uuid: row!.uuid }).toEqual({
          vfs: type,
          label: b.export.LABEL ?? null,
          uuid: b.export.UUID ?? null,
        });
      }
      const device = rows.find((x) => x.type === 'device')!;
      expect(device.size).toBe(fs.statSync(path.join(dir, base)).size);
    });
  }
});

function pick(o: Row, keys: string[]): Partial<Row> {
  return Object.fromEntries(keys.map((k) => [k, (o as unknown as Record<string, unknown>)[k]]));
}

describe('guestkit call', () => {
  it('prints the API table with each action state', () => {
    const r = guestkit('call', '--list');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^list_partitions\s+implemented/m);
    expect(r.stdout).toMatch(/^sh\s+refused/m);
  });

  it('runs actions in order, launching when needed, one JSON line each', () => {
    const dir = ensureFixture('partitions');
    const sfdisk = JSON.parse(
      fs.readFileSync(path.join(dir, 'expected/mbr.img.sfdisk.json'), 'utf8'),
    ).partitiontable;
    const first = sfdisk.partitions[0] as SfdiskPart;
    const r = guestkit(
      'call',
      '-a',
      path.join(dir, 'mbr.qcow2'),
      'disk_format',
      path.join(dir, 'mbr.qcow2'),
      ':',
      'part_get_parttype',
      '/dev/sda',
      ':',
      'part_get_mbr_id',
      '/dev/vda',
      '1',
      ':',
      'part_list',
      '/dev/sda',
    );
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toBe('qcow2');
    expect(lines[1]).toBe('msdos');
    expect(lines[2]).toBe(parseInt(first.type, 16));
    expect(lines[3][0]).toEqual({
      part_num: 1,
      part_start: first.start * 512,
      part_end: (first.start + first.size) * 512 - 1,
      part_size: first.size * 512,
    });
  });

  it('refuses guest-executing actions with unsupported, naming the action', () => {
    const dir = ensureFixture('partitions');
    const r = guestkit('call', '-a', path.join(dir, 'mbr.img'), 'sh', 'ls');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^guestkit: unsupported: sh: /);
  });
});
