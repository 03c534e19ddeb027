// Guest-to-host grain mapping shared by the three sparse extent kinds: a grain directory
// (GD) whose entries locate grain tables (GT), whose entries locate grains. What an entry
// means differs per kind (hosted sparse, VMFS sparse "COWD", seSparse), so each supplies a
// GrainLayout; walking the tables, caching them and checking them is done once, here.
// Reference: VMware "Virtual Disk Format 1.1", "Grain Directories and Grain Tables";
// QEMU block/vmdk.c get_cluster_offset (GTE 0 = unallocated, GTE 1 = zeroed grain).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';

/** What a run of guest bytes reads from. */
export const GRAIN_UNALLOCATED = 0; // the parent disk, or zeros without one
export const GRAIN_ZERO = 1; // zeros, even over a parent
export const GRAIN_DATA = 2; // host bytes at `host` in the extent file
export const GRAIN_COMPRESSED = 3; // a compressed grain whose marker is at `host`
export type GrainKind =
  typeof GRAIN_UNALLOCATED | typeof GRAIN_ZERO | typeof GRAIN_DATA | typeof GRAIN_COMPRESSED;

/** GrainLayout.grain() results that are not host offsets. */
export const ENTRY_UNALLOCATED = -1;
export const ENTRY_ZERO = -2;

/** One sparse extent kind's tables. */
export interface GrainLayout {
  readonly gdStructure: string;
  readonly gtStructure: string;
  /** Bytes per grain (a power of two). */
  readonly grainSize: number;
  readonly gtEntries: number;
  /** Bytes per GD and GT entry. */
  readonly entryBytes: 4 | 8;
  readonly gdOffset: number;
  readonly gdEntries: number;
  /** Every allocated grain is compressed (stream-optimized extents). */
  readonly compressed: boolean;
  /** Byte offset of grain table `index` (from the GD bytes), or 0 when unallocated. */
  gtOffset(gd: Bytes, index: number): number;
  /** Host byte offset of grain `index` of a table, or ENTRY_UNALLOCATED / ENTRY_ZERO. */
  grain(gt: Bytes, index: number): number;
}

/** Receives maximal runs in guest order: each within one grain, or one unmapped table. */
export type GrainVisitor = (kind: GrainKind, guest: number, length: number, host: number) => void;

/**
 * Memory for cached grain tables. A hosted table is 2 KiB and maps 32 MiB, a seSparse
 * table 32 KiB mapping 16 MiB: 4 MiB of tables covers 2 GiB of random access at worst.
 */
export const MAX_GT_CACHE_BYTES = 4 * 1024 * 1024;

export class GrainMap {
  private readonly gd: Bytes;
  private readonly gtBytes: number;
  private readonly gtSpan: number;
  private readonly tables = new Map<number, Bytes>();
  private readonly maxTables: number;
  /** The last table used: sequential reads stay in one table for many grains. */
  private lastIndex = -1;
  private last: Bytes | undefined;

  /** Reads the grain directory whole (its size was bounded when the header was validated). */
  constructor(
    private readonly file: BlockSource,
    private readonly layout: GrainLayout,
  ) {
    const gdBytes = layout.gdEntries * layout.entryBytes;
    if (layout.gdOffset + gdBytes > file.size) {
      throw corrupt(
        layout.gdStructure,
        layout.gdOffset,
        'past the end of the file',
        file.size,
        layout.gdOffset + gdBytes,
      );
    }
    this.gd = new Bytes(file.readAt(layout.gdOffset, gdBytes), layout.gdStructure, layout.gdOffset);
    this.gtBytes = layout.gtEntries * layout.entryBytes;
    this.gtSpan = layout.gtEntries * layout.grainSize;
    this.maxTables = Math.max(4, Math.floor(MAX_GT_CACHE_BYTES / this.gtBytes));
  }

  /** Visit every run of [offset, offset + length) of the extent, in order. */
  forEach(offset: number, length: number, visit: GrainVisitor): void {
    const end = offset + length;
    let pos = offset;
    while (pos < end) {
      const gdIndex = Math.floor(pos / this.gtSpan);
      const table = this.table(gdIndex);
      if (!table) {
        // A whole unallocated grain table in one run: sparse disks read fast.
        const stop = Math.min(end, (gdIndex + 1) * this.gtSpan);
        visit(GRAIN_UNALLOCATED, pos, stop - pos, 0);
        pos = stop;
        continue;
      }
      const grain = Math.floor(pos / this.layout.grainSize);
      const grainStart = grain * this.layout.grainSize;
      const stop = Math.min(end, grainStart + this.layout.grainSize);
      this.visitGrain(table, grain % this.layout.gtEntries, grainStart, pos, stop, visit);
      pos = stop;
    }
  }

  private visitGrain(
    table: Bytes,
    index: number,
    grainStart: number,
    from: number,
    to: number,
    visit: GrainVisitor,
  ): void {
    const host = this.layout.grain(table, index);
    if (host === ENTRY_UNALLOCATED) visit(GRAIN_UNALLOCATED, from, to - from, 0);
    else if (host === ENTRY_ZERO) visit(GRAIN_ZERO, from, to - from, 0);
    else {
      if (host >= this.file.size) {
        const entryPos = table.base + index * this.layout.entryBytes;
        throw corrupt(
          this.layout.gtStructure,
          entryPos,
          'grain past the end of the file',
          `< ${this.file.size}`,
          host,
        );
      }
      if (this.layout.compressed) visit(GRAIN_COMPRESSED, from, to - from, host);
      else visit(GRAIN_DATA, from, to - from, host + (from - grainStart));
    }
  }

  /** The grain table of GD entry `index`, or undefined when it is unallocated. */
  private table(index: number): Bytes | undefined {
    if (index >= this.layout.gdEntries) {
      throw corrupt(
        this.layout.gdStructure,
        this.layout.gdOffset,
        'too small for the extent',
        `> ${index}`,
        this.layout.gdEntries,
      );
    }
    if (index === this.lastIndex) return this.last;
    const offset = this.layout.gtOffset(this.gd, index);
    let table: Bytes | undefined;
    if (offset !== 0) {
      table = this.tables.get(offset);
      if (table) this.tables.delete(offset);
      else table = this.load(offset, this.gd.base + index * this.layout.entryBytes);
      this.tables.set(offset, table);
    }
    this.lastIndex = index;
    this.last = table;
    return table;
  }

  private load(offset: number, gdPos: number): Bytes {
    if (offset + this.gtBytes > this.file.size) {
      throw corrupt(
        this.layout.gdStructure,
        gdPos,
        'grain table past the end of the file',
        `<= ${this.file.size - this.gtBytes}`,
        offset,
      );
    }
    const table = new Bytes(
      this.file.readAt(offset, this.gtBytes),
      this.layout.gtStructure,
      offset,
    );
    while (this.tables.size >= this.maxTables) {
      this.tables.delete(this.tables.keys().next().value as number);
    }
    return table;
  }
}
