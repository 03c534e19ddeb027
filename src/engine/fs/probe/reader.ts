// Shared, bounded reads for probing. Every prober asks for a few small ranges (a
// superblock here, a volume descriptor there); in the browser each BlockSource read can
// cost half a millisecond, so the ranges are served from 64 KiB chunks that are fetched
// once and shared by all probers of one probe run. The first touch of the head or the
// tail fetches a 512 KiB window in one read, which covers nearly every fixed-offset
// signature (ext/xfs/btrfs/iso9660/udf/luks/lvm/md 1.1, 1.2 and ZFS labels 0-1 at the
// head; md 0.90/1.0 and ZFS labels 2-3 at the tail). What remains are libblkid's LUKS2
// secondary-header offsets at 512 KiB .. 4 MiB: a probe of a large device costs six reads.
// Reference: util-linux libblkid probe.c blkid_probe_get_buffer() (the same idea).

import type { BlockSource } from '../../io/block-source.js';

const CHUNK = 64 * 1024;
/** Head and tail windows: one read each, large enough for the fixed-offset signatures. */
const WINDOW = 512 * 1024;
/**
 * Sanity limit on what one probe run may cache. No prober needs more than ~1.5 MiB
 * (the ZFS labels); a hostile field can at worst make probers ask for ranges that are
 * then refused here instead of allocated.
 */
export const PROBE_CACHE_LIMIT = 8 * 1024 * 1024;
/** Largest single range a prober may request (ZFS reads a whole 256 KiB label). */
export const PROBE_MAX_RANGE = 256 * 1024;

/** Read statistics of one probe run: how many source reads and bytes it cost. */
export interface ProbeReadStats {
  reads: number;
  bytes: number;
}

/**
 * A caching view of a source for one probe run. `bytes()` never throws: a range outside
 * the source, too large, or unreadable gives undefined, which every prober treats as
 * "signature absent".
 */
export class ProbeReader {
  readonly size: number;
  readonly stats: ProbeReadStats = { reads: 0, bytes: 0 };
  private readonly chunks = new Map<number, Uint8Array>();
  private cached = 0;

  constructor(readonly src: BlockSource) {
    this.size = src.size;
  }

  /** `length` bytes at `offset`, or undefined when not (fully) readable. */
  bytes(offset: number, length: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return undefined;
    if (offset < 0 || length <= 0 || length > PROBE_MAX_RANGE) return undefined;
    if (offset + length > this.size) return undefined;
    const first = Math.floor(offset / CHUNK);
    const last = Math.floor((offset + length - 1) / CHUNK);
    if (!this.load(first, last)) return undefined;
    if (first === last) {
      const c = this.chunks.get(first)!;
      const at = offset - first * CHUNK;
      return c.subarray(at, at + length);
    }
    const out = new Uint8Array(length);
    for (let i = first; i <= last; i++) {
      const c = this.chunks.get(i)!;
      const start = Math.max(offset, i * CHUNK);
      const end = Math.min(offset + length, i * CHUNK + c.length);
      out.set(c.subarray(start - i * CHUNK, end - i * CHUNK), start - offset);
    }
    return out;
  }

  /** Make chunks first..last resident, fetching each missing run with one read. */
  private load(first: number, last: number): boolean {
    let i = first;
    while (i <= last) {
      if (this.chunks.has(i)) {
        i++;
        continue;
      }
      const [from, to] = this.widen(i, last);
      if (!this.fetch(from, to)) return false;
      i = to + 1;
    }
    return true;
  }

  /** Extend a missing run to the whole head or tail window when it falls inside one. */
  private widen(i: number, last: number): [number, number] {
    const lastChunk = Math.floor((this.size - 1) / CHUNK);
    const win = WINDOW / CHUNK;
    const inHead = i < win;
    const inTail = !inHead && i > lastChunk - win;
    const lo = inHead ? 0 : inTail ? lastChunk - win + 1 : i;
    const hi = Math.max(last, inHead ? Math.min(win - 1, lastChunk) : inTail ? lastChunk : i);
    let from = i;
    let to = i;
    while (from > lo && !this.chunks.has(from - 1)) from--;
    while (to < hi && !this.chunks.has(to + 1)) to++;
    return [from, to];
  }

  private fetch(from: number, to: number): boolean {
    const start = from * CHUNK;
    const end = Math.min(this.size, (to + 1) * CHUNK);
    if (this.cached + (end - start) > PROBE_CACHE_LIMIT) return false;
    let buf: Uint8Array;
    try {
      buf = this.src.readAt(start, end - start);
    } catch {
      return false;
    }
    this.stats.reads++;
    this.stats.bytes += buf.length;
    this.cached += buf.length;
    for (let i = from; i <= to; i++) {
      this.chunks.set(
        i,
        buf.subarray((i - from) * CHUNK, Math.min(buf.length, (i - from + 1) * CHUNK)),
      );
    }
    return true;
  }
}

/** Probers receive a plain BlockSource; the registry hands them one of these. */
export class ProbeSource implements BlockSource {
  readonly size: number;
  readonly name: string | undefined;
  constructor(readonly reader: ProbeReader) {
    this.size = reader.size;
    this.name = reader.src.name;
  }
  readAt(offset: number, length: number): Uint8Array {
    const b = this.reader.bytes(offset, length);
    if (!b) throw new RangeError(`probe read ${offset}+${length} unavailable`);
    return b.slice();
  }
}

/** The shared reader of a source: reuse it when the registry already wrapped the source. */
export function readerOf(src: BlockSource): ProbeReader {
  return src instanceof ProbeSource ? src.reader : new ProbeReader(src);
}
