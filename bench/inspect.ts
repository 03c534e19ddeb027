// Inspection benchmark for `npm run bench` (the lead adds benchInspect to bench/main.ts):
// the whole of `guestkit inspect` on the Debian 12 qcow2 of fixtures/build-debian.sh in
// Node — inspect_os alone, then inspect_os + mounting + the 88-package dpkg list + the icon
// (virt-inspector's work) — with the bytes and read calls that reached the file, against
// virt-inspector on the same file when libguestfs is installed (LIBGUESTFS_BACKEND=direct;
// force_tcg here, as these machines cannot run KVM guests). Asserts nothing.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NodeEnvironment } from '../src/cli/node-env.js';
import { Guestfs } from '../src/engine/guestfs/handle.js';
import { inspectorReport } from '../src/engine/guestfs/inspector-report.js';
import { virtInspectorXml } from '../src/engine/inspect/virt-inspector-xml.js';
import { ensureFixture } from '../tests/helpers/fixtures.js';

/** [what, value, baseline, ratio] — the columns of bench/main.ts. */
export type BenchRow = [string, string, string, string];

interface Run {
  ms: number;
  bytes: number;
  calls: number;
  xml: string;
}

/** One cold run: a fresh handle and environment (no page cache carried over). */
async function inspectOnce(disk: string, full: boolean): Promise<Run> {
  const env = new NodeEnvironment();
  const g = new Guestfs(env);
  g.add_drive_opts(disk, { readonly: true });
  const t0 = performance.now();
  g.launch();
  await g.prepareInspection();
  const roots = g.inspect_os();
  let xml = '';
  if (full) xml = virtInspectorXml(inspectorReport(g, roots).report);
  const ms = performance.now() - t0;
  const io = env.stats();
  g.close();
  env.close();
  return { ms, bytes: io.bytes, calls: io.calls, xml };
}

/** Best of `n` cold runs (the first also loads the WebAssembly driver and sql.js). */
async function best(n: number, disk: string, full: boolean): Promise<Run> {
  let b: Run | undefined;
  for (let i = 0; i < n; i++) {
    const r = await inspectOnce(disk, full);
    if (!b || r.ms < b.ms) b = r;
  }
  return b!;
}

/** virt-inspector's wall time on the same file, or undefined when it is not installed. */
function virtInspector(disk: string): { ms: number; xml: string } | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v virt-inspector'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const t0 = performance.now();
  const xml = execFileSync('virt-inspector', ['-a', disk], {
    env: { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return { ms: performance.now() - t0, xml };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

export async function benchInspect(): Promise<BenchRow[]> {
  const disk = path.join(ensureFixture('debian'), 'disk.qcow2');
  const os = await best(3, disk, false);
  const full = await best(3, disk, true);
  const rows: BenchRow[] = [
    [
      'inspect_os (Debian 12 qcow2)',
      `${fmt(os.ms)}, ${mib(os.bytes)} in ${os.calls} reads`,
      '—',
      '—',
    ],
  ];
  const vi = virtInspector(disk);
  const same = vi ? (vi.xml === full.xml ? 'same XML' : 'XML DIFFERS') : '';
  rows.push([
    'guestkit inspect --xml (88 packages, icon)',
    `${fmt(full.ms)}, ${mib(full.bytes)} in ${full.calls} reads`,
    vi ? `virt-inspector ${fmt(vi.ms)} (TCG)` : 'virt-inspector not installed',
    vi ? `${(vi.ms / full.ms).toFixed(0)}x faster, ${same}` : '—',
  ]);
  return rows;
}
