// A bounded cache of qcow2 (and qcow v1) L2 tables, keyed by their host offset so that the active image
// and its internal snapshots (which share L2 tables) share entries too.
// Reference: QEMU docs/qcow2-cache.txt (the L2 cache and its size trade-off).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';

export const L2_STRUCTURE = 'qcow2 L2 table';
/**
 * Memory for cached L2 tables. One 64 KiB table maps 512 MiB of guest disk, so 16 MiB of
 * tables covers 128 GiB of random access at the default cluster size; QEMU's default cap
 * on Linux is 32 MiB.
 */
export const MAX_L2_CACHE_BYTES = 16 * 1024 * 1024;
/** Keep a few tables even with 2 MiB clusters, so alternating reads do not thrash. */
const MIN_L2_CACHE_TABLES = 4;

export class L2Cache {
  private readonly tables = new Map<number, Bytes>();
  private readonly maxTables: number;
  /** The last table used: sequential reads stay in one table for thousands of clusters. */
  private lastOffset = -1;
  private last: Bytes | undefined;
  loads = 0;

  /**
   * @param tableSize bytes per table: one cluster in qcow2, 2^l2_bits × 8 in qcow v1
   * @param structures names for errors: the table that points at L2 tables, and L2 tables
   */
  constructor(
    private readonly file: BlockSource,
    private readonly tableSize: number,
    private readonly structures = { l1: 'qcow2 L1 table', l2: L2_STRUCTURE },
    maxBytes = MAX_L2_CACHE_BYTES,
  ) {
    this.maxTables = Math.max(MIN_L2_CACHE_TABLES, Math.floor(maxBytes / tableSize));
  }

  /**
   * The L2 table at `offset` (already checked cluster-aligned by the caller). `l1Pos` is
   * the file position of the L1 entry that named it, for the error if it lies past EOF.
   */
  get(offset: number, l1Pos: number): Bytes {
    if (offset === this.lastOffset && this.last) return this.last;
    let table = this.tables.get(offset);
    if (table) {
      this.tables.delete(offset);
      this.tables.set(offset, table);
    } else {
      table = this.load(offset, l1Pos);
    }
    this.lastOffset = offset;
    this.last = table;
    return table;
  }

  private load(offset: number, l1Pos: number): Bytes {
    if (offset + this.tableSize > this.file.size) {
      throw corrupt(
        this.structures.l1,
        l1Pos,
        'L2 table offset past the end of the file',
        `<= ${this.file.size - this.tableSize}`,
        offset,
      );
    }
    const table = new Bytes(this.file.readAt(offset, this.tableSize), this.structures.l2, offset);
    this.loads++;
    this.tables.set(offset, table);
    while (this.tables.size > this.maxTables) {
      this.tables.delete(this.tables.keys().next().value as number);
    }
    return table;
  }
}
