// A page cache shaped by the browser's cost model (../shared/BROWSER.md): a FileReaderSync
// call costs ~0.5 ms whatever its size up to ~256 KiB, so we read large aligned pages,
// merge adjacent misses into one call, grow a read-ahead window on sequential access and
// evict least-recently-used pages past a fixed memory budget.

import { type BlockSource, checkRange, readInto } from './block-source.js';
import type { IoStats } from './stats.js';

export interface PageCacheOptions {
  /** Page size in bytes, a power of two. */
  pageSize?: number;
  /** Memory budget in bytes; the cache never holds more than this plus one read. */
  maxBytes?: number;
  /** Largest read-ahead window in bytes. */
  maxReadAhead?: number;
}

export const DEFAULT_PAGE_SIZE = 256 * 1024;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_READAHEAD = 4 * 1024 * 1024;
/** Requests this large bypass the cache: one underlying read, no copy. */
const READ_THROUGH_BYTES = 1024 * 1024;
/** One underlying read never exceeds this, so a huge request does not double its memory. */
const MAX_RUN_BYTES = 16 * 1024 * 1024;

export class PageCache implements BlockSource {
  readonly size: number;
  readonly name: string;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly maxReadAheadPages: number;
  /** Insertion order is recency order: a hit deletes and re-inserts. */
  private readonly pages = new Map<number, Uint8Array>();
  /** The page after the end of the last read, and the current read-ahead window in pages. */
  private nextSequential = -1;
  private lastEnd = -1;
  private window = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: BlockSource,
    opts: PageCacheOptions = {},
  ) {
    this.size = inner.size;
    this.name = inner.name ?? 'cached';
    this.pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    if (this.pageSize <= 0 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      throw new RangeError('page size must be a power of two');
    }
    this.maxPages = Math.max(4, Math.floor((opts.maxBytes ?? DEFAULT_CACHE_BYTES) / this.pageSize));
    // The window never exceeds a quarter of the budget, so read-ahead cannot evict the
    // pages of the request that triggered it.
    this.maxReadAheadPages = Math.max(
      1,
      Math.min(
        Math.floor((opts.maxReadAhead ?? DEFAULT_MAX_READAHEAD) / this.pageSize),
        Math.floor(this.maxPages / 4),
      ),
    );
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    if (length >= READ_THROUGH_BYTES && length <= MAX_RUN_BYTES) {
      this.passedThrough(offset, length);
      return this.inner.readAt(offset, length);
    }
    const out = new Uint8Array(length);
    this.copyInto(offset, out);
    return out;
  }

  /** Like readAt, into the caller's buffer; bulk reads go straight to the storage's own
   * readInto when it has one (a Node file: no allocation and no copy at all). */
  readInto(offset: number, dst: Uint8Array): void {
    checkRange(this, offset, dst.length);
    if (dst.length > 0) this.copyInto(offset, dst);
  }

  private copyInto(offset: number, out: Uint8Array): void {
    const length = out.length;
    const first = Math.floor(offset / this.pageSize);
    const last = Math.floor((offset + length - 1) / this.pageSize);
    // Bulk requests (convert, hashing, big file reads) gain nothing from caching: read them
    // straight through, which also keeps a request larger than the budget from evicting
    // itself.
    if (length >= READ_THROUGH_BYTES || last - first + 1 > this.maxPages / 2) {
      for (let done = 0; done < length;) {
        const n = Math.min(MAX_RUN_BYTES, length - done);
        readInto(this.inner, offset + done, out.subarray(done, done + n));
        done += n;
      }
      this.passedThrough(offset, length);
      return;
    }
    this.fill(offset, first, last);
    this.lastEnd = offset + length;
    for (let p = first; p <= last; p++) {
      const page = this.get(p);
      const pageStart = p * this.pageSize;
      const from = Math.max(offset, pageStart);
      const to = Math.min(offset + length, pageStart + page.length);
      out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
    }
  }

  /** A read that bypassed the pages still counts for sequential detection. */
  private passedThrough(offset: number, length: number): void {
    this.nextSequential = Math.floor((offset + length) / this.pageSize);
    this.lastEnd = offset + length;
  }

  /** Make pages first..last resident with as few underlying reads as possible. */
  private fill(offset: number, first: number, last: number): void {
    const sequential = offset === this.lastEnd || first === this.nextSequential;
    this.window = sequential ? Math.min(Math.max(1, this.window * 2), this.maxReadAheadPages) : 0;
    this.nextSequential = last + 1;
    const lastPage = Math.floor((this.size - 1) / this.pageSize);
    let end = last;
    if (this.window > 0) {
      // Read ahead in batches: only when less than half a window is already cached
      // beyond this request, so a scan costs one call per half-window, not per page.
      let ahead = 0;
      while (ahead < this.window && this.pages.has(last + 1 + ahead)) ahead++;
      if (ahead < this.window / 2) end = Math.min(last + this.window, lastPage);
    }
    const maxRun = Math.max(1, Math.floor(MAX_RUN_BYTES / this.pageSize));
    let p = first;
    while (p <= end) {
      const page = this.pages.get(p);
      if (page) {
        if (p <= last) {
          this.hits++;
          // Refresh recency now so reading the rest of this request cannot evict it.
          this.pages.delete(p);
          this.pages.set(p, page);
        }
        p++;
        continue;
      }
      let q = p;
      while (q + 1 <= end && !this.pages.has(q + 1) && q + 1 - p < maxRun) q++;
      this.readRun(p, q);
      this.misses += Math.max(0, Math.min(q, last) - p + 1);
      p = q + 1;
    }
  }

  private readRun(p: number, q: number): void {
    const start = p * this.pageSize;
    const stop = Math.min((q + 1) * this.pageSize, this.size);
    const bytes = this.inner.readAt(start, stop - start);
    for (let i = p; i <= q; i++) {
      const a = (i - p) * this.pageSize;
      const b = Math.min(a + this.pageSize, bytes.length);
      // Copy when the run holds several pages, so evicting one page frees its memory
      // instead of pinning the whole run's buffer.
      this.put(i, q === p ? bytes : bytes.slice(a, b));
    }
  }

  private get(p: number): Uint8Array {
    const page = this.pages.get(p);
    if (!page) throw new Error(`page cache: page ${p} missing after fill`);
    this.pages.delete(p);
    this.pages.set(p, page);
    return page;
  }

  private put(p: number, page: Uint8Array): void {
    this.pages.set(p, page);
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  /** The I/O statistics of the storage below, when it keeps any (file sources do). */
  get stats(): IoStats | undefined {
    return (this.inner as { stats?: IoStats }).stats;
  }

  /** Drop everything (after a write below, or to release memory). */
  clear(): void {
    this.pages.clear();
  }

  get residentBytes(): number {
    let n = 0;
    for (const p of this.pages.values()) n += p.length;
    return n;
  }
}
