// Stat records for the entries of the last directory listing, fetched together the first
// time one of them is asked for ("readdirplus"). `ls -l` of a directory stats every entry
// in name-hash order, which touches the inode table (or the MFT) at random, one boundary
// crossing per entry; sorted and batched, the table is read in order and each of its
// blocks once (100,000 entries: ~6,000 block reads instead of ~100,000).
// The filesystems are read-only, so a record cannot go stale while mounted.

import { STAT_SIZE, type WasmFs } from './wasm-fs.js';

/** Listings larger than this are not prefetched: 131,072 records are 16 MiB. */
export const MAX_LISTING_PREFETCH = 1 << 17;

export class ListingStats {
  /** Sorted, distinct inode numbers of the last listing (hard links share one). */
  private inos: Uint32Array | undefined;
  private records: Uint8Array | undefined;

  constructor(private readonly wasm: WasmFs) {}

  /** Called by readdir with what it returned; replaces the previous listing. */
  listed(entries: readonly { ino: number }[]): void {
    this.records = undefined;
    this.inos = undefined;
    if (!this.wasm.canStatMany || entries.length < 2 || entries.length > MAX_LISTING_PREFETCH)
      return;
    const all = new Uint32Array(entries.length);
    for (let i = 0; i < entries.length; i++) all[i] = entries[i]!.ino;
    all.sort();
    let n = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[n++] = all[i]!;
    this.inos = all.slice(0, n);
  }

  /** The stat record of `ino` when it was in the last listing, else undefined (then the
   * caller stats it alone, which also reports the error of an inode the batch skipped). */
  record(ino: number): Uint8Array | undefined {
    const inos = this.inos;
    if (!inos) return undefined;
    const i = search(inos, ino);
    if (i < 0) return undefined;
    if (!this.records) {
      try {
        this.records = this.wasm.statMany(inos);
      } catch {
        // One inode that traps the module must not fail the others: stat them one by one.
        this.inos = undefined;
        return undefined;
      }
    }
    const rec = this.records.subarray(i * STAT_SIZE, (i + 1) * STAT_SIZE);
    const dv = new DataView(rec.buffer, rec.byteOffset, 8);
    const got = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
    return got === ino ? rec : undefined;
  }

  clear(): void {
    this.inos = undefined;
    this.records = undefined;
  }
}

function search(sorted: Uint32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = sorted[mid]!;
    if (m === v) return mid;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
