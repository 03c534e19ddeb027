// Bounded mutation fuzzing: flip random bytes in the metadata of small peer images and
// use the mounted result. Every failure must be an EngineError, and none may be a
// WebAssembly trap: a trap means the Rust code panicked or indexed out of bounds on
// hostile input instead of reporting a structure. Deterministic seeds; a few hundred
// cases per image (FUZZ_CASES overrides for longer runs).

import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { Ext4FileSystem } from '../../src/engine/fs/ext4/filesystem.js';
import { readTestdata } from '../helpers/fixtures.js';
import { loadExt4, mountBytes } from './ext4-support.js';

const CASES = Number(process.env.FUZZ_CASES ?? 150);
/** Bytes read per file: enough to reach indirect and extent blocks of small images. */
const READ_CAP = 1 << 20;

beforeAll(loadExt4);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Touches everything reachable; returns the errors met along the way. */
function exercise(fs: Ext4FileSystem): unknown[] {
  const errors: unknown[] = [];
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      errors.push(e);
    }
  };
  attempt(() => fs.statvfs());
  const seen = new Set<number>();
  const visit = (dir: string, depth: number) => {
    if (depth > 8) return;
    let entries: ReturnType<Ext4FileSystem['readdir']> = [];
    attempt(() => (entries = fs.readdir(dir)));
    for (const e of entries.slice(0, 200)) {
      const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
      if (p.includes('\0') || e.name.includes('/')) continue;
      attempt(() => {
        const st = fs.lstat(p);
        if (st.type === 'file') fs.read(p, 0, Math.min(st.size, READ_CAP));
        if (st.type === 'symlink') fs.readlink(p);
        fs.listxattrs(p);
        if (st.type === 'directory' && !seen.has(st.ino)) {
          seen.add(st.ino);
          visit(p, depth + 1);
        }
      });
    }
  };
  visit('/', 0);
  return errors;
}

function mountAndExercise(img: Uint8Array, name: string): unknown[] {
  try {
    const fs = mountBytes(img, name);
    const errors = exercise(fs);
    fs.close();
    return errors;
  } catch (e) {
    return [e];
  }
}

describe.each([
  { file: 'dissect.extfs/ext4.bin.gz', span: 64 << 10 },
  { file: 'sleuthkit/test-data/image.dd', span: 100 << 10 },
  { file: 'dissect.extfs/ext4_symlink_test1.bin.gz', span: 64 << 10 },
])('$file', ({ file, span }) => {
  test(`${CASES} mutated images fail only with EngineErrors, never a trap`, () => {
    const good = readTestdata(file);
    // Live bytes (non-zero) of the metadata area: flipping free space tests nothing.
    const live: number[] = [];
    for (let i = 1024; i < span; i++) if (good[i] !== 0) live.push(i);
    const traps: string[] = [];
    let failures = 0;
    for (let c = 0; c < CASES; c++) {
      const rand = rng(c + 1);
      const img = good.slice();
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++)
        img[live[Math.floor(rand() * live.length)]!] = Math.floor(rand() * 256);
      for (const e of mountAndExercise(img, `${file}#${c}`)) {
        failures++;
        if (!(e instanceof EngineError)) throw e;
        if (e.structure?.includes('WebAssembly trap')) traps.push(`case ${c}: ${e.message}`);
      }
    }
    expect(traps).toEqual([]);
    // The mutations must reach the parser: a good share of cases end in an error (many
    // live bytes are journal blocks that nothing reads).
    expect(failures).toBeGreaterThan(CASES / 20);
  });
});
