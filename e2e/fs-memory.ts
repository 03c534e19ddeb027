// Memory of the Chromium a test launched, read from /proc: every process descending from
// this test process (Playwright starts the browser as our child, so other test runs on
// the machine are not counted), grouped by --type (renderer, gpu-process, utility,
// zygote; the browser process has none). A dedicated worker runs
// in its page's renderer process, so "renderer" covers the page and the disk engine;
// the browser process holds blob storage.

import * as fs from 'node:fs';

export interface ProcessMemory {
  pid: number;
  type: string;
  rssBytes: number;
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields follow the last ")".
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Every Chromium process below this process, with its RSS now. */
export function chromiumMemory(): ProcessMemory[] {
  const pids = allPids();
  const family = new Set([process.pid]);
  // Children usually follow their parents in pid order; loop until nothing is added.
  for (let added = true; added;) {
    added = false;
    for (const p of pids) {
      const parent = parentOf(p);
      if (!family.has(p) && parent !== undefined && family.has(parent)) {
        family.add(p);
        added = true;
      }
    }
  }
  family.delete(process.pid);
  return [...family]
    .filter((pid) => /chrom/.test(cmdline(pid)[0] ?? ''))
    .map((pid) => {
      // Zygote children rewrite their command line as one space-separated string.
      const type = /--type=([\w-]+)/.exec(cmdline(pid).join(' '))?.[1] ?? 'browser';
      return { pid, type, rssBytes: rss(pid) };
    });
}

/** RSS summed per process type. */
export function byType(ps: ProcessMemory[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of ps) out[p.type] = (out[p.type] ?? 0) + p.rssBytes;
  return out;
}

/** Samples `chromiumMemory` every `everyMs` until stopped; keeps the peak per type. */
export function samplePeaks(everyMs = 100) {
  const peak: Record<string, number> = {};
  const take = () => {
    const t = byType(chromiumMemory());
    t.total = Object.values(t).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries(t)) peak[k] = Math.max(peak[k] ?? 0, v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
