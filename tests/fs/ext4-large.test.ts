// Reads the 256 MiB sparse-ish /large.bin of ext4-4k.img through ext4.wasm, checks its
// sha256 against the source file's (expected/tree-big.json), and prints the throughput
// next to fs.readSync of the same bytes from the source file (no time is asserted).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ensureFixture } from '../helpers/fixtures.js';
import { loadExt4, mountFile } from './ext4-support.js';

const CHUNK = 4 << 20;
let dir = '';

beforeAll(async () => {
  dir = ensureFixture('ext4');
  await loadExt4();
});

test('large file: content matches the source, throughput printed', () => {
  const tree = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'tree-big.json'), 'utf8')) as {
    path: string;
    size?: number;
    sha256?: string;
  }[];
  const want = tree.find((e) => e.path === '/large.bin')!;
  const fsys = mountFile(path.join(dir, 'ext4-4k.img'));
  const size = fsys.lstat('/large.bin').size;
  expect(size).toBe(want.size);

  const t0 = performance.now();
  const h = createHash('sha256');
  for (let off = 0; off < size; off += CHUNK) h.update(fsys.read('/large.bin', off, CHUNK));
  const wasmMs = performance.now() - t0;
  expect(h.digest('hex')).toBe(want.sha256);

  // Baseline: the same byte ranges with fs.readSync from the source file.
  const fd = fs.openSync(path.join(dir, 'srcbig', 'large.bin'), 'r');
  const buf = new Uint8Array(CHUNK);
  const t1 = performance.now();
  const h2 = createHash('sha256');
  for (let off = 0; off < size; off += CHUNK) {
    const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - off), off);
    h2.update(buf.subarray(0, n));
  }
  const nodeMs = performance.now() - t1;
  fs.closeSync(fd);
  expect(h2.digest('hex')).toBe(want.sha256);

  // The data regions alone (20 MiB of real blocks), read through the module.
  const regions: [number, number][] = [
    [0, 4 << 20],
    [64 << 20, 4 << 20],
    [(130 << 20) + 123, 8 << 20],
    [252 << 20, 4 << 20],
  ];
  const t2 = performance.now();
  for (const [o, l] of regions) fsys.read('/large.bin', o, l);
  const dataMs = performance.now() - t2;
  const fd2 = fs.openSync(path.join(dir, 'srcbig', 'large.bin'), 'r');
  const t3 = performance.now();
  for (const [o, l] of regions) fs.readSync(fd2, new Uint8Array(l), 0, l, o);
  const dataNodeMs = performance.now() - t3;
  fs.closeSync(fd2);
  const mib = size / 2 ** 20;
  console.log(
    `ext4.wasm read of ${mib} MiB: ${(mib / (wasmMs / 1000)).toFixed(0)} MiB/s (incl. sha256); ` +
      `fs.readSync of the source: ${(mib / (nodeMs / 1000)).toFixed(0)} MiB/s; ` +
      `data regions only (20 MiB): ${(20 / (dataMs / 1000)).toFixed(0)} MiB/s through ext4.wasm vs ` +
      `${(20 / (dataNodeMs / 1000)).toFixed(0)} MiB/s with fs.readSync`,
  );
  fsys.close();
});
