import { describe, expect, it } from 'vitest';
import { type BlockSource, MemorySource, slice } from './block-source.js';
import { PageCache } from './page-cache.js';
import { newStats } from './stats.js';

/** A memory source that counts reads like a real file source does. */
function counted(bytes: Uint8Array): BlockSource & { stats: ReturnType<typeof newStats> } {
  const inner = new MemorySource(bytes);
  const stats = newStats();
  return {
    size: inner.size,
    stats,
    readAt(o, n) {
      stats.calls++;
      stats.bytes += n;
      return inner.readAt(o, n);
    },
  };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

describe('PageCache', () => {
  const data = pattern(3 * 1024 * 1024 + 12345);

  it('returns exactly the underlying bytes for random ranges, including the short last page', () => {
    const cache = new PageCache(counted(data), { pageSize: 65536, maxBytes: 1 << 20 });
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const off = seed % data.length;
      const len = Math.min(data.length - off, (seed >>> 8) % 300000);
      // Buffer.equals: vitest's deep equality is far too slow for 300 KB arrays.
      expect(Buffer.from(cache.readAt(off, len)).equals(data.subarray(off, off + len))).toBe(true);
    }
    const tail = cache.readAt(data.length - 10, 10);
    expect(tail).toEqual(data.subarray(data.length - 10));
  });

  it('merges adjacent misses into one underlying read', () => {
    const src = counted(data);
    const cache = new PageCache(src, { pageSize: 65536 });
    cache.readAt(1000, 5 * 65536);
    expect(src.stats.calls).toBe(1);
    expect(src.stats.bytes).toBe(6 * 65536);
  });

  it('serves repeated reads from memory', () => {
    const src = counted(data);
    const cache = new PageCache(src, { pageSize: 65536 });
    cache.readAt(70000, 100);
    cache.readAt(66000, 100);
    cache.readAt(65536, 65536);
    expect(src.stats.calls).toBe(1);
  });

  it('reads ahead on sequential access, so a scan needs far fewer calls than pages', () => {
    const src = counted(data);
    const cache = new PageCache(src, { pageSize: 4096, maxReadAhead: 1 << 20 });
    for (let off = 0; off + 4096 <= data.length; off += 4096) cache.readAt(off, 4096);
    const pages = Math.floor(data.length / 4096);
    expect(src.stats.calls).toBeLessThan(pages / 20);
  });

  it('keeps memory within its budget', () => {
    const src = counted(data);
    const cache = new PageCache(src, { pageSize: 65536, maxBytes: 256 * 1024 });
    for (let off = 0; off + 65536 <= data.length; off += 131072) cache.readAt(off, 65536);
    expect(cache.residentBytes).toBeLessThanOrEqual(256 * 1024);
  });

  it('reads requests larger than the budget straight through', () => {
    const src = counted(data);
    const cache = new PageCache(src, { pageSize: 65536, maxBytes: 256 * 1024 });
    expect(Buffer.from(cache.readAt(3, 2_000_000)).equals(data.subarray(3, 2_000_003))).toBe(true);
    expect(cache.residentBytes).toBe(0);
  });

  it('refuses reads past the end and offsets beyond 2^53', () => {
    const cache = new PageCache(counted(data));
    expect(() => cache.readAt(data.length - 1, 2)).toThrow(expect.objectContaining({ kind: 'io' }));
    expect(() => cache.readAt(2 ** 53, 1)).toThrow(expect.objectContaining({ kind: 'EINVAL' }));
  });
});

describe('slice', () => {
  it('maps reads into the parent and refuses ranges past its end', () => {
    const data = pattern(10000);
    const s = slice(new MemorySource(data), 1000, 5000);
    expect(s.readAt(10, 20)).toEqual(data.subarray(1010, 1030));
    expect(() => s.readAt(4990, 20)).toThrow(expect.objectContaining({ kind: 'io' }));
    expect(() => slice(new MemorySource(data), 9000, 2000)).toThrow(
      expect.objectContaining({ kind: 'corrupt' }),
    );
  });
});
