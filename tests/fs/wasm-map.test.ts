// fs_map and the mapped read path of both crates. The device runs are compared with what
// e2fsprogs and ntfs-3g's tools say about the same files (debugfs `stat`: logical → physical
// block ranges; ntfsinfo -v: VCN → LCN runlists, sizes), and readInto / read are compared
// with the source trees the fixture scripts wrote (sha256 in their expected/*.json).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { NtfsFileSystem } from '../../src/engine/fs/ntfs/filesystem.js';
import type { FileRun } from '../../src/engine/fs/wasm/mapped-read.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { loadExt4, mountFile } from './ext4-support.js';

let ext4Dir = '';
let ntfsDir = '';
let ntfs: NtfsFileSystem;

beforeAll(async () => {
  ext4Dir = ensureFixture('ext4');
  ntfsDir = ensureFixture('ntfs');
  await loadExt4(); // builds the modules
  await ntfsDriver.load();
  ntfs = ntfsDriver.mount(new NodeFileSource(path.join(ntfsDir, 'ntfs.img')), { readonly: true });
  return () => ntfs.close();
});

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** Joins runs that continue each other, as fs_map does. */
function merged(runs: FileRun[]): FileRun[] {
  const out: FileRun[] = [];
  for (const r of runs) {
    if (r.length === 0) continue;
    const last = out[out.length - 1];
    const continues =
      last &&
      last.kind === r.kind &&
      last.offset + last.length === r.offset &&
      (r.kind !== 'data' || last.device! + last.length === r.device);
    if (continues) last.length += r.length;
    else out.push({ ...r });
  }
  return out;
}

/** Byte runs from block ranges [lblk, count, pblk | undefined] clipped to `size`, with the
 * gaps (and anything past `init`) as zero runs. */
function byteRuns(
  ranges: [number, number, number | undefined][],
  bs: number,
  size: number,
  init = size,
): FileRun[] {
  const out: FileRun[] = [];
  let pos = 0;
  const zero = (to: number) => {
    if (to > pos) out.push({ kind: 'zero', offset: pos, length: to - pos });
    pos = Math.max(pos, to);
  };
  for (const [l, n, p] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const start = Math.min(l * bs, size);
    const end = Math.min((l + n) * bs, size);
    zero(start);
    const live = Math.min(end, Math.max(init, start));
    if (p !== undefined && live > start) {
      out.push({ kind: 'data', offset: start, length: live - start, device: p * bs });
      pos = live;
    }
    zero(end);
  }
  zero(size);
  return merged(out);
}

/** debugfs stat's block list: "(0-11):9494-9505, (IND):9506, …" (metadata items skipped). */
function debugfsRanges(image: string, file: string): [number, number, number][] {
  const out = run('debugfs', ['-R', `stat "${file}"`, image]);
  const list = out.slice(out.search(/^(EXTENTS|BLOCKS):/m));
  return [...list.matchAll(/\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?/g)].map((m) => {
    const l = Number(m[1]);
    return [l, Number(m[2] ?? m[1]) - l + 1, Number(m[3])];
  });
}

describe('ext4 fs_map against debugfs', () => {
  const cases: [string, string][] = [
    ['ext4-4k', '/sparse/many-extents.bin'], // depth-1 extent tree
    ['ext4-4k', '/large.bin'], // four extents with holes between
    ['ext4-4k', '/sparse/holes.bin'],
    ['ext4-4k', '/sizes/two-mib.bin'],
    ['ext3', '/sizes/two-mib.bin'], // block map: direct + single indirect
    ['ext2', '/sparse/triple.bin'], // triple indirect, 1 KiB blocks
    ['ext2', '/sizes/size-1000000'],
  ];
  test.each(cases)('%s %s', (image, file) => {
    const img = path.join(ext4Dir, `${image}.img`);
    const fsys = mountFile(img);
    const st = fsys.lstat(file);
    const want = byteRuns(debugfsRanges(img, file), st.blksize, st.size);
    expect(fsys.wasm.mapFile(st.ino, 0, st.size + 12345)).toEqual(want);
    // A range inside: the same runs, cut to it.
    const a = Math.floor(st.size / 3) + 1;
    const b = Math.floor((2 * st.size) / 3);
    expect(fsys.wasm.mapFile(st.ino, a, b - a)).toEqual(cut(want, a, b));
    fsys.close();
  });

  test('inline data is unmapped (read through fs_read); directories are EISDIR', () => {
    const fsys = mountFile(path.join(ext4Dir, 'ext4-inline.img'));
    const st = fsys.lstat('/tiny');
    expect(fsys.wasm.mapFile(st.ino, 0, 100)).toEqual([
      { kind: 'unmapped', offset: 0, length: st.size },
    ]);
    expect(new TextDecoder().decode(fsys.read('/tiny', 0, 100))).toBe('x'.repeat(20));
    const e = (() => {
      try {
        fsys.wasm.mapFile(fsys.lstat('/sizes').ino, 0, 1);
      } catch (x) {
        return x as { kind: string };
      }
    })();
    expect(e?.kind).toBe('EISDIR');
    fsys.close();
  });
});

/** The runs of `want` inside [a, b). */
function cut(want: FileRun[], a: number, b: number): FileRun[] {
  const out: FileRun[] = [];
  for (const r of want) {
    const s = Math.max(a, r.offset);
    const e = Math.min(b, r.offset + r.length);
    if (e <= s) continue;
    const x: FileRun = { kind: r.kind, offset: s, length: e - s };
    if (r.kind === 'data') x.device = r.device! + (s - r.offset);
    out.push(x);
  }
  return out;
}

/** ntfsinfo -v's unnamed $DATA runlists (all extents), data and initialized size. */
function ntfsinfoRuns(file: string): {
  runs: [number, number, number | undefined][];
  size: number;
  init: number;
} {
  const out = run('ntfsinfo', ['-v', '-F', file, path.join(ntfsDir, 'ntfs.img')]);
  const runs: [number, number, number | undefined][] = [];
  let size = 0;
  let init = 0;
  for (const section of out.split(/^Dumping attribute /m)) {
    if (!section.startsWith('$DATA') || !/Name length:\s+0 /.test(section)) continue;
    size ||= Number(/Data size:\s+(\d+)/.exec(section)?.[1] ?? 0);
    init ||= Number(/Initialized size:\s+(\d+)/.exec(section)?.[1] ?? 0);
    for (const m of section.matchAll(
      /^\s+0x([0-9a-f]+)\s+(0x[0-9a-f]+|<HOLE>)\s+0x([0-9a-f]+)$/gm,
    )) {
      const lcn = m[2] === '<HOLE>' ? undefined : Number(m[2]);
      runs.push([parseInt(m[1]!, 16), parseInt(m[3]!, 16), lcn]);
    }
  }
  return { runs, size, init };
}

describe('NTFS fs_map against ntfsinfo', () => {
  test.each([
    '/fragmented/many.bin', // 2,011 runs in 10 extents: several fs_map calls
    '/fragmented/two-a.bin',
    '/large/large.bin',
    '/sparse/middle.bin', // sparse runs, initialized size short of the data size
    '/sparse/tail-hole.bin',
  ])('%s', (file) => {
    const want = ntfsinfoRuns(file);
    expect(want.runs.length).toBeGreaterThan(0);
    const ino = ntfs.resolve(file);
    const got = ntfs.wasm.mapFile(ino, 0, want.size + 1);
    expect(got).toEqual(byteRuns(want.runs, 4096, want.size, want.init));
  });

  test('resident and compressed data are unmapped', () => {
    for (const file of ['/hello.txt', '/compressed/text.txt']) {
      const size = ntfs.lstat(file).size;
      expect(ntfs.wasm.mapFile(ntfs.resolve(file), 0, size)).toEqual([
        { kind: 'unmapped', offset: 0, length: size },
      ]);
    }
  });
});

interface SourceEntry {
  path: string;
  size?: number;
  sha256?: string;
}

/** readInto a reused, dirtied buffer in `chunk` slices; the sha256 of what was read. */
function hashInto(
  f: { readInto(p: string, o: number, d: Uint8Array): number },
  file: string,
  chunk: number,
) {
  const h = createHash('sha256');
  const buf = new Uint8Array(chunk);
  for (let off = 0; ; off += chunk) {
    buf.fill(0xcc); // holes must be zero-filled, not left as they were
    const n = f.readInto(file, off, buf);
    h.update(buf.subarray(0, n));
    if (n < chunk) return h.digest('hex');
  }
}

describe('readInto and read against the source trees', () => {
  test('ext4: every file of the 4 KiB image (holes, extents, block maps)', () => {
    const tree = JSON.parse(
      fs.readFileSync(path.join(ext4Dir, 'expected', 'tree.json'), 'utf8'),
    ) as (SourceEntry & { type: string })[];
    for (const image of ['ext4-4k', 'ext3', 'ext2', 'ext4-inline']) {
      const fsys = mountFile(path.join(ext4Dir, `${image}.img`));
      for (const e of tree.filter((x) => x.type === 'file' && x.path.startsWith('/s'))) {
        if (image === 'ext4-inline' && e.path === '/sparse/tail-hole.bin') continue; // see build-ext4.sh
        expect(hashInto(fsys, e.path, 65536 + 512), `${image} ${e.path}`).toBe(e.sha256);
      }
      fsys.close();
    }
  });

  test('NTFS: sparse, fragmented, compressed, resident files and a named stream', () => {
    const src = JSON.parse(
      fs.readFileSync(path.join(ntfsDir, 'expected', 'source.json'), 'utf8'),
    ) as SourceEntry[];
    const files = [
      '/sparse/middle.bin',
      '/fragmented/many.bin',
      '/compressed/text.txt',
      '/hello.txt',
    ];
    for (const file of files) {
      const want = src.find((e) => e.path === file)!.sha256;
      expect(hashInto(ntfs, file, 300_001), file).toBe(want);
      expect(
        createHash('sha256')
          .update(ntfs.read(file, 0, 64 << 20))
          .digest('hex'),
      ).toBe(want);
    }
    // /ads/ads.txt:big is 150,000 bytes, non-resident (ntfs-3g's walk has its sha256).
    const ads = '1a30606485db064b096234e62251582c1df2a03388118482cfc7334d4f61efb2';
    expect(hashInto(ntfs, '/ads/ads.txt:big', 4096)).toBe(ads);
    expect(
      createHash('sha256')
        .update(ntfs.read('/ads/ads.txt:big', 0, 1 << 20))
        .digest('hex'),
    ).toBe(ads);
  });

  test('a read past the end is empty, a read across it short', () => {
    const fsys = mountFile(path.join(ext4Dir, 'ext4-4k.img'));
    const size = fsys.lstat('/sizes/size-4097').size;
    expect(fsys.read('/sizes/size-4097', size, 10).length).toBe(0);
    expect(fsys.read('/sizes/size-4097', size - 3, 10).length).toBe(3);
    expect(fsys.readInto('/sizes/size-4097', size - 3, new Uint8Array(10))).toBe(3);
    fsys.close();
  });
});
