// `npm run bench`: performance as ratios against baselines measured in the same run —
// raw fs.readSync for I/O, qemu-img for conversion. Prints a table; asserts nothing.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Guestfs } from '../src/engine/guestfs/handle.js';
import { NodeEnvironment } from '../src/cli/node-env.js';
import { openNodeImage } from '../src/engine/io/node-resolver.js';
import { convertToRaw } from '../src/cli/commands/convert.js';
import { ensureFixture } from '../tests/helpers/fixtures.js';
import { benchFs } from './fs.js';
import { benchInspect } from './inspect.js';
import { benchLuks } from './luks.js';

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const rows: string[][] = [];

function report(name: string, value: string, baseline: string, ratio: string): void {
  rows.push([name, value, baseline, ratio]);
  console.error(`  ${name}: ${value} (baseline ${baseline}) ${ratio}`);
}

/** Best of `n` runs, in ms. */
function best(n: number, fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

function readAllRaw(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK);
  let pos = 0;
  for (let n; (n = fs.readSync(fd, buf, 0, CHUNK, pos)) > 0;) pos += n;
  fs.closeSync(fd);
}

function readAllImage(file: string): void {
  const { image, resolver } = openNodeImage(file);
  for (let off = 0; off < image.size; off += CHUNK)
    image.readAt(off, Math.min(CHUNK, image.size - off));
  resolver.close();
}

const mibps = (bytes: number, ms: number) => `${(((bytes / MiB) * 1000) / ms) | 0} MiB/s`;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-bench-'));
  try {
    // A 512 MiB disk of incompressible data, as raw and as qcow2 variants made by qemu-img.
    const raw = path.join(tmp, 'disk.raw');
    execFileSync('sh', ['-c', `head -c ${512 * MiB} /dev/urandom > ${raw}`]);
    const size = fs.statSync(raw).size;
    for (const [name, opts] of [
      ['qcow2-64k', []],
      ['qcow2-2m', ['-o', 'cluster_size=2M']],
      ['qcow2-extl2', ['-o', 'extended_l2=on,cluster_size=128k']],
    ] as [string, string[]][]) {
      execFileSync('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'qcow2',
        ...opts,
        raw,
        path.join(tmp, `${name}.qcow2`),
      ]);
    }
    readAllRaw(raw); // warm the host page cache for every contender alike
    const base = best(3, () => readAllRaw(raw));
    console.error('sequential read of 512 MiB (best of 3)');
    report('fs.readSync raw (baseline)', mibps(size, base), mibps(size, base), '1.00×');
    const viaRaw = best(3, () => readAllImage(raw));
    report(
      'guestkit raw',
      mibps(size, viaRaw),
      mibps(size, base),
      `${(base / viaRaw).toFixed(2)}×`,
    );
    for (const name of ['qcow2-64k', 'qcow2-2m', 'qcow2-extl2']) {
      const f = path.join(tmp, `${name}.qcow2`);
      readAllImage(f);
      const t = best(3, () => readAllImage(f));
      report(`guestkit ${name}`, mibps(size, t), mibps(size, base), `${(base / t).toFixed(2)}×`);
    }

    // Compressed images: a text-like (compressible) 128 MiB disk.
    const text = path.join(tmp, 'text.raw');
    execFileSync('sh', ['-c', `seq 1 100000000 | head -c ${128 * MiB} > ${text}`]);
    for (const [name, ctype] of [
      ['zlib', 'zlib'],
      ['zstd', 'zstd'],
    ]) {
      const f = path.join(tmp, `${name}.qcow2`);
      execFileSync('qemu-img', [
        'convert',
        '-c',
        '-f',
        'raw',
        '-O',
        'qcow2',
        '-o',
        `compression_type=${ctype}`,
        text,
        f,
      ]);
      const q = best(2, () =>
        execFileSync('qemu-img', ['convert', '-O', 'raw', f, path.join(tmp, 'out.raw')]),
      );
      const g = best(2, () => convertToRaw(openNodeImage(f).image, path.join(tmp, 'out.raw')));
      report(
        `convert ${name}-compressed 128 MiB to raw`,
        `${g.toFixed(0)} ms`,
        `qemu-img ${q.toFixed(0)} ms`,
        `${(q / g).toFixed(2)}×`,
      );
    }
    {
      const f = path.join(tmp, 'qcow2-64k.qcow2');
      const q = best(2, () =>
        execFileSync('qemu-img', ['convert', '-O', 'raw', f, path.join(tmp, 'out.raw')]),
      );
      const g = best(2, () => convertToRaw(openNodeImage(f).image, path.join(tmp, 'out.raw')));
      report(
        'convert qcow2 512 MiB to raw',
        `${g.toFixed(0)} ms`,
        `qemu-img ${q.toFixed(0)} ms`,
        `${(q / g).toFixed(2)}×`,
      );
    }

    // The disk map of a 100 GiB sparse qcow2: how little is read.
    const big = path.join(ensureFixture('qcow2'), 'big.qcow2');
    let inv!: ReturnType<Guestfs['inventory']>;
    const t = best(3, () => {
      const env = new NodeEnvironment();
      const g = new Guestfs(env);
      g.add_drive_ro(big);
      g.launch();
      inv = g.inventory();
      env.close();
    });
    const qi = best(3, () => execFileSync('qemu-img', ['info', big]));
    report(
      'disk map of 100 GiB sparse qcow2 (launch + probe all)',
      `${t.toFixed(1)} ms, ${inv.io.calls} reads, ${(inv.io.bytes / 1024).toFixed(0)} KiB`,
      `qemu-img info ${qi.toFixed(1)} ms`,
      `${(qi / t).toFixed(2)}×`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // The other areas' benchmarks (each returns rows of the same shape).
  for (const [title, run] of [
    ['filesystems in qcow2 (ext4, NTFS)', benchFs],
    ['inspection', benchInspect],
    ['LUKS', benchLuks],
  ] as [string, () => Promise<string[][]>][]) {
    console.error(title);
    for (const r of await run()) report(r[0]!, r[1]!, r[2]!, r[3]!);
  }
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(...[['benchmark', 'guestkit', 'baseline', 'ratio'], ...rows].map((r) => r[i]!.length)),
  );
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(['benchmark', 'guestkit', 'baseline', 'ratio']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(
    '\nratio > 1 means guestkit is faster than (or, for throughput, as fast as ×) the baseline.',
  );
}

await main();
