// readInto along the I/O stack: a Node file, the page cache (pages and read-through), slices
// and memory sources fill the caller's buffer with exactly what readAt returns, refuse the
// same ranges, and the helper falls back to readAt for sources without readInto. Expected
// bytes come from the test's own data written to a temporary file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../errors.js';
import { type BlockSource, MemorySource, readInto, slice } from './block-source.js';
import { NodeFileSource } from './node-source.js';
import { PageCache } from './page-cache.js';

const SIZE = 5 * 1024 * 1024 + 4321;
const data = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i++) data[i] = (i * 2654435761) >>> 24;
let dir = '';
let file = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-readinto-'));
  file = path.join(dir, 'data.bin');
  fs.writeFileSync(file, data);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Ranges that start and end inside pages, span pages, and cross the read-through size. */
const RANGES: [number, number][] = [
  [0, 1],
  [4095, 2],
  [65535, 65538],
  [100_000, 300_000],
  [1 << 20, 1 << 20],
  [123, (2 << 20) + 7],
  [SIZE - 10, 10],
  [SIZE - (3 << 20), 3 << 20],
  [0, SIZE],
];

function checkSource(name: string, make: () => BlockSource & { close?(): void }) {
  describe(name, () => {
    it('fills the caller buffer with what readAt returns, over garbage', () => {
      const src = make();
      expect(typeof src.readInto).toBe('function');
      for (const [off, len] of RANGES) {
        const dst = new Uint8Array(len).fill(0xa5);
        src.readInto!(off, dst);
        expect(same(dst, data.subarray(off, off + len)), `${off}+${len}`).toBe(true);
        expect(same(src.readAt(off, len), dst)).toBe(true);
      }
      src.close?.();
    });

    it('refuses ranges past the end like readAt (io), and bad offsets (EINVAL)', () => {
      const src = make();
      const kind = (f: () => void) => {
        try {
          f();
        } catch (e) {
          return (e as EngineError).kind;
        }
        return 'none';
      };
      expect(kind(() => src.readInto!(SIZE - 1, new Uint8Array(2)))).toBe('io');
      expect(kind(() => src.readInto!(-1, new Uint8Array(1)))).toBe('EINVAL');
      expect(kind(() => src.readInto!(SIZE, new Uint8Array(0)))).toBe('none');
      src.close?.();
    });
  });
}

checkSource('NodeFileSource', () => new NodeFileSource(file));
checkSource('MemorySource', () => new MemorySource(data));
checkSource(
  'PageCache over a Node file',
  () => new PageCache(new NodeFileSource(file), { pageSize: 65536, maxBytes: 1 << 20 }),
);

describe('slice', () => {
  it('forwards readInto with its offset, and checks its own range', () => {
    const start = 777;
    const s = slice(new NodeFileSource(file), start, SIZE - start - 1000);
    const dst = new Uint8Array(300_000);
    s.readInto!(5000, dst);
    expect(same(dst, data.subarray(start + 5000, start + 5000 + dst.length))).toBe(true);
    expect(() => s.readInto!(s.size - 1, new Uint8Array(2))).toThrow(EngineError);
  });

  it('has no readInto when its parent has none', () => {
    const parent: BlockSource = { size: SIZE, readAt: (o, n) => data.slice(o, o + n) };
    expect(slice(parent, 1, 100).readInto).toBeUndefined();
  });
});

describe('readInto helper', () => {
  it('uses readAt when the source has no readInto', () => {
    let calls = 0;
    const plain: BlockSource = {
      size: SIZE,
      readAt: (o, n) => {
        calls++;
        return data.slice(o, o + n);
      },
    };
    const dst = new Uint8Array(4096).fill(1);
    readInto(plain, 10_000, dst);
    expect(calls).toBe(1);
    expect(same(dst, data.subarray(10_000, 14_096))).toBe(true);
  });

  it('a Node file read through the page cache counts one storage read per bulk request', () => {
    const f = new NodeFileSource(file);
    const cache = new PageCache(f, { pageSize: 65536, maxBytes: 1 << 20 });
    const dst = new Uint8Array(4 << 20);
    cache.readInto(0, dst);
    expect([f.stats.calls, f.stats.bytes]).toEqual([1, 4 << 20]);
    expect(same(dst, data.subarray(0, 4 << 20))).toBe(true);
    f.close();
  });
});
