// Filesystem benchmarks for `npm run bench` (bench/main.ts prints the rows): reading a
// 512 MiB file out of ext4 and out of NTFS, each inside a qcow2 (and, to isolate the format
// layer, as a raw image file), against fs.readSync of the same bytes from a plain host file
// (warmed): readInto into one reused 4 MiB buffer against fs.readSync into one, and
// FileSystem.read (a new buffer per call) against fs.readSync into a new buffer per call;
// and listing a 100,000-entry ext4 directory with an lstat of every entry (what `ls -l`
// does), against the 1 s target and `debugfs -R "ls -l"` on the raw image. Images come from
// fixtures/build-bench-fs.sh; content is checked against sha256sum's answer before timing.
// Read rates are per CPU second (see `paired`), listings in wall-clock ms. Asserts nothing.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NodeEnvironment } from '../src/cli/node-env.js';
import { ext4Driver } from '../src/engine/fs/ext4/driver.js';
import { ntfsDriver } from '../src/engine/fs/ntfs/driver.js';
import type { FileSystem } from '../src/engine/fs/types.js';
import { Guestfs } from '../src/engine/guestfs/handle.js';
import { openNodeFile, openNodeImage } from '../src/engine/io/node-resolver.js';
import { ensureFixture } from '../tests/helpers/fixtures.js';

/** [what, value, baseline, ratio] — the columns of bench/main.ts. */
export type BenchRow = [string, string, string, string];

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
/** Issue 3's targets: file reads at >= 0.7x fs.readSync, the listing within 1 s. */
const READ_TARGET = 0.7;
/** Timed runs of each contender and of its baseline. */
const RUNS = 4;
const LIST_TARGET_MS = 1000;

interface Facts {
  dataSize: number;
  dirEntries: number;
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

/** CPU time (user + system, every thread of the process) of one run, in ms. */
function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/**
 * Best of `n` runs of each, alternating, in CPU ms. Other jobs share this machine's cores:
 * wall time then counts the waits for a core, which vary run to run far more than the work
 * (an allocating read loop measured 1.1 to 12.9 GiB/s by the wall clock in one hour); CPU
 * time counts the work, page faults and garbage collection included.
 */
function paired(n: number, base: () => void, fn: () => void): [number, number] {
  let b = Infinity;
  let t = Infinity;
  for (let i = 0; i < n; i++) {
    b = Math.min(b, cpuMs(base));
    t = Math.min(t, cpuMs(fn));
  }
  return [b, t];
}

const mibps = (bytes: number, ms: number) => (bytes / MiB / ms) * 1000;

/** The baseline: fs.readSync of the whole file into one reused buffer. */
function readSyncAll(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK);
  let pos = 0;
  for (let n; (n = fs.readSync(fd, buf, 0, CHUNK, pos)) > 0;) pos += n;
  fs.closeSync(fd);
  return pos;
}

/** Both WebAssembly-backed filesystems read into a caller's buffer. */
type IntoFs = FileSystem & { readInto(path: string, offset: number, dst: Uint8Array): number };

/** Like the baseline: the whole file through one reused 4 MiB buffer. */
function readIntoAll(fsys: IntoFs, file: string, size: number): void {
  const buf = new Uint8Array(CHUNK);
  for (let off = 0; off < size; off += CHUNK) fsys.readInto(file, off, buf);
}

/** Through FileSystem.read, which returns a new buffer per call. */
function readFsAll(fsys: FileSystem, file: string, size: number): void {
  for (let off = 0; off < size; off += CHUNK) fsys.read(file, off, Math.min(CHUNK, size - off));
}

function checkContent(fsys: FileSystem, file: string, size: number, want: string): void {
  const h = createHash('sha256');
  for (let off = 0; off < size; off += CHUNK)
    h.update(fsys.read(file, off, Math.min(CHUNK, size - off)));
  const got = h.digest('hex');
  if (got !== want) throw new Error(`bench: ${fsys.type} ${file} sha256 ${got}, want ${want}`);
}

/** The baseline with a new buffer per call, as FileSystem.read returns one. */
function readSyncFresh(file: string): void {
  const fd = fs.openSync(file, 'r');
  for (let pos = 0, n; (n = fs.readSync(fd, new Uint8Array(CHUNK), 0, CHUNK, pos)) > 0;) pos += n;
  fs.closeSync(fd);
}

interface Contender {
  name: string;
  /** The filesystem's device: the qcow2 image, or the raw filesystem image file itself. */
  open(): { fsys: IntoFs; close(): void };
}

function contenders(dir: string, tmp: string): Contender[] {
  const out: Contender[] = [];
  for (const [name, base, driver] of [
    ['ext4', 'ext4', ext4Driver],
    ['NTFS', 'ntfs', ntfsDriver],
  ] as const) {
    out.push({
      name: `${name} in qcow2`,
      open() {
        const { image, resolver } = openNodeImage(path.join(dir, `${base}.qcow2`));
        const fsys: IntoFs = driver.mount(image, { readonly: true });
        return { fsys, close: () => (fsys.close(), resolver.close()) };
      },
    });
    // The same filesystem as a raw file read with no format layer between (the fixture
    // keeps only the qcow2: qemu-img writes the raw copy).
    const raw = path.join(tmp, `${base}.raw`);
    execFileSync('qemu-img', ['convert', '-O', 'raw', path.join(dir, `${base}.qcow2`), raw]);
    out.push({
      name: `${name}, raw image file (no format layer)`,
      open() {
        const f = openNodeFile(raw);
        const fsys: IntoFs = driver.mount(f.source, { readonly: true });
        return { fsys, close: () => (fsys.close(), f.source.close()) };
      },
    });
  }
  return out;
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function readRows(fixture: string, facts: Facts, tmp: string): BenchRow[] {
  const want = fs.readFileSync(path.join(fixture, 'expected', 'data.sha256'), 'utf8').trim();
  // Every contender reads a file written moments ago, in the host page cache the same way:
  // how a file came into the cache changes fs.readSync's own speed up to 2× here (a file
  // written through a pipe in small pieces reads slower than a copied one).
  for (const f of ['data.bin', 'ext4.qcow2', 'ntfs.qcow2'])
    fs.copyFileSync(path.join(fixture, f), path.join(tmp, f));
  const dir = tmp;
  const data = path.join(dir, 'data.bin');
  const size = facts.dataSize;
  readSyncAll(data);
  const into: BenchRow[] = [];
  const read: BenchRow[] = [];
  const row = (name: string, times: [number, number], baseName: string): BenchRow => {
    const [base, t] = times.map((ms) => mibps(size, ms)) as [number, number];
    return [name, fmtRate(t), `${baseName} ${fmtRate(base)}`, ratio(t, base)];
  };
  for (const c of contenders(dir, tmp)) {
    const { fsys, close } = c.open();
    try {
      checkContent(fsys, '/data.bin', size, want);
      const t1 = paired(
        RUNS,
        () => readSyncAll(data),
        () => readIntoAll(fsys, '/data.bin', size),
      );
      into.push(row(`${c.name}: readInto, reused buffer (≥ ${READ_TARGET}×)`, t1, 'readSync'));
      const t2 = paired(
        RUNS,
        () => readSyncFresh(data),
        () => readFsAll(fsys, '/data.bin', size),
      );
      read.push(row(`${c.name}: read, new buffer per call`, t2, 'readSync new buffer'));
    } finally {
      close();
    }
  }
  return [...into, ...read];
}

const fmtRate = (r: number) => `${r.toFixed(0)} MiB/CPU-s`;

/** readdir + lstat of every entry straight on the FileSystem (stat by inode number). */
function listDirect(fsys: FileSystem, dir: string): number {
  const entries = fsys.readdir(dir);
  for (const e of entries) fsys.statInode!(e.ino);
  return entries.length;
}

/** The same through the libguestfs-style handle: ls, then lstatnslist (virt-ls -l). */
async function listHandle(image: string, dir: string): Promise<number> {
  const env = new NodeEnvironment();
  const g = new Guestfs(env);
  try {
    g.add_drive_ro(image);
    g.launch();
    await g.prepareFilesystems();
    g.mount_ro('/dev/sda', '/');
    const names = g.ls(dir);
    const st = g.lstatnslist(dir, names);
    if (st.some((s) => s.st_ino < 0)) throw new Error('bench: an entry could not be stat-ed');
    return names.length;
  } finally {
    g.close();
    env.close();
  }
}

async function listRows(dir: string, facts: Facts): Promise<BenchRow[]> {
  const raw = path.join(dir, 'dir.img');
  const qcow = path.join(dir, 'dir.qcow2');
  const debugfs = best(3, () =>
    execFileSync('debugfs', ['-R', 'ls -l /dir', raw], { stdio: ['ignore', 'ignore', 'ignore'] }),
  );
  const rows: BenchRow[] = [];
  const { image: disk, resolver } = openNodeImage(qcow);
  const fsys = ext4Driver.mount(disk, { readonly: true });
  let n = 0;
  // Each run mounts afresh: the module's caches must not carry one listing into the next.
  const direct = best(3, () => {
    const f = ext4Driver.mount(disk, { readonly: true });
    n = listDirect(f, '/dir');
    f.close();
  });
  fsys.close();
  resolver.close();
  if (n !== facts.dirEntries)
    throw new Error(`bench: listed ${n}, debugfs says ${facts.dirEntries}`);
  rows.push(listRow('list 100,000-entry ext4 dir (readdir + lstat each)', direct, debugfs));
  let handle = Infinity;
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    n = await listHandle(qcow, '/dir');
    handle = Math.min(handle, performance.now() - s);
  }
  if (n !== facts.dirEntries)
    throw new Error(`bench: listed ${n}, debugfs says ${facts.dirEntries}`);
  rows.push(listRow('… through Guestfs ls + lstatnslist (incl. launch)', handle, debugfs));
  return rows;
}

function listRow(name: string, ms: number, debugfsMs: number): BenchRow {
  return [
    `${name} (target ≤ ${LIST_TARGET_MS} ms)`,
    `${ms.toFixed(0)} ms`,
    `debugfs ls -l ${debugfsMs.toFixed(0)} ms`,
    `${(debugfsMs / ms).toFixed(2)}×`,
  ];
}

/** Runs the filesystem benchmarks (~1 min the first time, to build the images). */
export async function benchFs(): Promise<BenchRow[]> {
  const dir = ensureFixture('bench-fs');
  const facts = JSON.parse(
    fs.readFileSync(path.join(dir, 'expected', 'facts.json'), 'utf8'),
  ) as Facts;
  await ext4Driver.load();
  await ntfsDriver.load();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-bench-fs-'));
  try {
    const rows = [...readRows(dir, facts, tmp), ...(await listRows(dir, facts))];
    for (const r of rows) console.error(`  ${r[0]}: ${r[1]} (${r[2]}) ${r[3]}`);
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
