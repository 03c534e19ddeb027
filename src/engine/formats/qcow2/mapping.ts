// Guest-to-host cluster mapping: the L1 table, L2 entries (standard and extended with 32
// sub-clusters) and what each run of guest bytes reads from.
// Reference: QEMU docs/interop/qcow2.txt, "Cluster mapping", "Standard Cluster Descriptor",
// "Extended L2 Entries"; the classification follows QEMU's qcow2_get_subcluster_type.

import { corrupt } from '../../errors.js';
import type { Bytes } from '../../io/bytes.js';
import type { Qcow2Header } from './header.js';
import { L2_STRUCTURE, type L2Cache } from './l2-cache.js';

export const L1_STRUCTURE = 'qcow2 L1 table';

/** Where a run of guest bytes comes from. */
export const SEG_DATA = 0; // host bytes at `host` in the data file (the image or external)
export const SEG_ZERO = 1; // reads as zeros, even over a backing file
export const SEG_BACKING = 2; // unallocated: the backing file, or zeros without one
export const SEG_COMPRESSED = 3; // part of a compressed cluster (hi/lo hold the descriptor)
export type SegmentKind =
  typeof SEG_DATA | typeof SEG_ZERO | typeof SEG_BACKING | typeof SEG_COMPRESSED;

/** Receives maximal runs, in guest order, each within one cluster (or one unmapped L2 range). */
export type SegmentVisitor = (
  kind: SegmentKind,
  guest: number,
  length: number,
  host: number,
  entryPos: number,
  hi: number,
  lo: number,
) => void;

/** What the mapping needs from the image: header facts, where tables and data live. */
export interface MappingContext {
  readonly header: Qcow2Header;
  readonly l2cache: L2Cache;
  /** Size of the file that holds standard clusters (the image, or the external data file). */
  readonly dataSize: number;
  readonly hasDataFile: boolean;
}

const TWO_32 = 2 ** 32;
const SUBCLUSTERS = 32;

export class ClusterMap {
  private readonly clusterSize: number;
  private readonly entriesPerL2: number;
  private readonly l2Span: number;

  /** `l1` holds the table as read (structure "qcow2 L1 table", base = its file offset). */
  constructor(
    private readonly ctx: MappingContext,
    private readonly l1: Bytes,
    private readonly l1Size: number,
  ) {
    this.clusterSize = ctx.header.clusterSize;
    this.entriesPerL2 = 2 ** ctx.header.l2Bits;
    this.l2Span = this.entriesPerL2 * this.clusterSize;
  }

  /** Visit every run of [offset, offset + length), in order. */
  forEach(offset: number, length: number, visit: SegmentVisitor): void {
    const end = offset + length;
    let pos = offset;
    while (pos < end) {
      const l1Index = Math.floor(pos / this.l2Span);
      const l2Offset = this.l2OffsetAt(l1Index);
      if (l2Offset === 0) {
        // A whole unmapped L2 range in one run: sparse disks read fast.
        const stop = Math.min(end, (l1Index + 1) * this.l2Span);
        visit(SEG_BACKING, pos, stop - pos, 0, 0, 0, 0);
        pos = stop;
        continue;
      }
      const table = this.ctx.l2cache.get(l2Offset, this.l1.base + l1Index * 8);
      const cluster = Math.floor(pos / this.clusterSize);
      const clusterStart = cluster * this.clusterSize;
      const inEnd = Math.min(end - clusterStart, this.clusterSize);
      this.visitCluster(
        table,
        cluster % this.entriesPerL2,
        clusterStart,
        pos - clusterStart,
        inEnd,
        visit,
      );
      pos = clusterStart + inEnd;
    }
  }

  /** The L2 table offset of L1 entry `index`, 0 when unallocated or past the table. */
  private l2OffsetAt(index: number): number {
    if (index >= this.l1Size) return 0;
    const hi = this.l1.u32be(index * 8);
    const lo = this.l1.u32be(index * 8 + 4);
    const offset = (hi & 0x00ffffff) * TWO_32 + ((lo & 0xfffffe00) >>> 0);
    if (offset % this.clusterSize !== 0) {
      throw corrupt(
        L1_STRUCTURE,
        this.l1.base + index * 8,
        'L2 table offset not cluster-aligned',
        'aligned',
        offset,
      );
    }
    return offset;
  }

  private visitCluster(
    table: Bytes,
    index: number,
    start: number,
    from: number,
    to: number,
    visit: SegmentVisitor,
  ): void {
    const entry = index * this.ctx.header.l2EntrySize;
    const hi = table.u32be(entry);
    const lo = table.u32be(entry + 4);
    const entryPos = table.base + entry;
    if (hi & 0x40000000) {
      visit(SEG_COMPRESSED, start + from, to - from, 0, entryPos, hi, lo);
      return;
    }
    const host = (hi & 0x00ffffff) * TWO_32 + ((lo & 0xfffffe00) >>> 0);
    // Offset 0 means unallocated, except with an external data file where guest cluster 0
    // lives at host 0: there the "copied" bit (refcount 1, always set) tells them apart.
    const allocated = host !== 0 || (this.ctx.hasDataFile && (hi & 0x80000000) !== 0);
    if (this.ctx.header.extendedL2) {
      const zeroBits = table.u32be(entry + 8);
      const allocBits = table.u32be(entry + 12);
      this.visitSubclusters(allocated, host, allocBits, zeroBits, entryPos, start, from, to, visit);
      return;
    }
    if (lo & 1) {
      if (this.ctx.header.version < 3) {
        throw corrupt(L2_STRUCTURE, entryPos, 'zero cluster flag in a version 2 image', 0, 1);
      }
      visit(SEG_ZERO, start + from, to - from, 0, entryPos, hi, lo);
    } else if (allocated) {
      this.checkHost(host, entryPos);
      visit(SEG_DATA, start + from, to - from, host + from, entryPos, hi, lo);
    } else {
      visit(SEG_BACKING, start + from, to - from, 0, entryPos, hi, lo);
    }
  }

  private visitSubclusters(
    allocated: boolean,
    host: number,
    allocBits: number,
    zeroBits: number,
    entryPos: number,
    start: number,
    from: number,
    to: number,
    visit: SegmentVisitor,
  ): void {
    if ((allocBits & zeroBits) !== 0) {
      throw corrupt(
        L2_STRUCTURE,
        entryPos,
        'sub-cluster both allocated and zero',
        0,
        (allocBits & zeroBits) >>> 0,
      );
    }
    if (!allocated && allocBits !== 0) {
      throw corrupt(
        L2_STRUCTURE,
        entryPos,
        'allocated sub-clusters in an unallocated cluster',
        0,
        allocBits >>> 0,
      );
    }
    if (allocBits !== 0) this.checkHost(host, entryPos);
    const subSize = this.clusterSize / SUBCLUSTERS;
    const kindOf = (sc: number): SegmentKind =>
      (allocBits >>> sc) & 1 ? SEG_DATA : (zeroBits >>> sc) & 1 ? SEG_ZERO : SEG_BACKING;
    let p = from;
    while (p < to) {
      const kind = kindOf(Math.floor(p / subSize));
      let q = Math.min((Math.floor(p / subSize) + 1) * subSize, to);
      while (q < to && kindOf(q / subSize) === kind) q = Math.min(q + subSize, to);
      visit(kind, start + p, q - p, kind === SEG_DATA ? host + p : 0, entryPos, 0, 0);
      p = q;
    }
  }

  private checkHost(host: number, entryPos: number): void {
    if (host % this.clusterSize !== 0) {
      throw corrupt(
        L2_STRUCTURE,
        entryPos,
        'host cluster offset not cluster-aligned',
        'aligned',
        host,
      );
    }
    if (host >= this.ctx.dataSize) {
      throw corrupt(
        L2_STRUCTURE,
        entryPos,
        'host cluster offset past the end of the file',
        `< ${this.ctx.dataSize}`,
        host,
      );
    }
  }
}
