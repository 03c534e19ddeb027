// The VHDX block allocation table: 64-bit entries, a state in bits 0-2 and the block's file
// offset in MiB in bits 20-63. Payload block entries are interleaved with sector bitmap
// entries: after every `chunkRatio` payload entries comes the entry of the 1 MiB bitmap
// that covers them (only used by differencing disks). Entries are read in pages on demand,
// since a 64 TiB disk in 1 MiB blocks has a 512 MiB table.
// Reference: [MS-VHDX] §2.5 BAT, §2.5.1 BAT Entry (payload and sector bitmap states),
// §2.5.2 chunk ratio and the BAT's size for fixed/dynamic and differencing files.

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { MiB } from './header.js';
import type { VhdxMetadata } from './metadata.js';
import type { Region } from './region-table.js';

export const BAT_STRUCTURE = 'VHDX BAT';

export const PAYLOAD_BLOCK_NOT_PRESENT = 0;
export const PAYLOAD_BLOCK_UNDEFINED = 1;
export const PAYLOAD_BLOCK_ZERO = 2;
export const PAYLOAD_BLOCK_UNMAPPED = 3;
export const PAYLOAD_BLOCK_FULLY_PRESENT = 6;
export const PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7;
export const SB_BLOCK_NOT_PRESENT = 0;
export const SB_BLOCK_PRESENT = 6;

export const STATE_NAMES: Record<number, string> = {
  0: 'NOT_PRESENT',
  1: 'UNDEFINED',
  2: 'ZERO',
  3: 'UNMAPPED',
  6: 'FULLY_PRESENT',
  7: 'PARTIALLY_PRESENT',
};

/** 8192 entries (64 KiB) per page, 64 pages cached: 512 Ki blocks, ≥ 512 GiB of guest data. */
const PAGE_ENTRIES = 8192;
const CACHE_PAGES = 64;

export interface BatEntry {
  readonly state: number;
  /** Byte offset of the block in the file (0 when the state has none). */
  readonly fileOffset: number;
  /** Offset of the entry itself, for errors. */
  readonly entryOffset: number;
}

export interface BatGeometry {
  readonly chunkRatio: number;
  readonly payloadBlocks: number;
  readonly bitmapBlocks: number;
  readonly totalEntries: number;
}

/** Chunk ratio and entry counts from the metadata ([MS-VHDX] §2.5.2). */
export function batGeometry(m: VhdxMetadata): BatGeometry {
  const chunkRatio = (2 ** 23 * m.logicalSectorSize) / m.blockSize;
  const payloadBlocks = Math.ceil(m.virtualDiskSize / m.blockSize);
  const bitmapBlocks = Math.ceil(payloadBlocks / chunkRatio);
  const totalEntries = m.hasParent
    ? bitmapBlocks * (chunkRatio + 1)
    : payloadBlocks + Math.floor(Math.max(0, payloadBlocks - 1) / chunkRatio);
  return { chunkRatio, payloadBlocks, bitmapBlocks, totalEntries };
}

export class VhdxBat {
  private readonly pages = new Map<number, Bytes>();

  constructor(
    private readonly file: BlockSource,
    private readonly region: Region,
    readonly geometry: BatGeometry,
    private readonly blockSize: number,
  ) {
    if (geometry.totalEntries * 8 > region.length) {
      throw corrupt(
        BAT_STRUCTURE,
        region.fileOffset,
        'BAT region too small for the disk size',
        `>= ${geometry.totalEntries * 8}`,
        region.length,
      );
    }
  }

  /** The entry of payload block `block`, checked against the file. */
  payload(block: number): BatEntry {
    const index = block + Math.floor(block / this.geometry.chunkRatio);
    const e = this.entry(index);
    const s = e.state;
    if (s === PAYLOAD_BLOCK_FULLY_PRESENT || s === PAYLOAD_BLOCK_PARTIALLY_PRESENT) {
      this.checkExtent(e, this.blockSize, `payload block ${block}`);
    } else if (!(s in STATE_NAMES)) {
      throw corrupt(
        BAT_STRUCTURE,
        e.entryOffset,
        `payload block ${block} has an unknown state`,
        '0-3, 6 or 7',
        s,
      );
    }
    return e;
  }

  /** The sector bitmap entry of the chunk holding payload block `block`. */
  sectorBitmap(block: number): BatEntry {
    const chunk = Math.floor(block / this.geometry.chunkRatio);
    const e = this.entry(chunk * (this.geometry.chunkRatio + 1) + this.geometry.chunkRatio);
    if (e.state === SB_BLOCK_PRESENT) this.checkExtent(e, MiB, `sector bitmap of chunk ${chunk}`);
    else if (e.state !== SB_BLOCK_NOT_PRESENT) {
      throw corrupt(
        BAT_STRUCTURE,
        e.entryOffset,
        `sector bitmap of chunk ${chunk} has an unknown state`,
        '0 or 6',
        e.state,
      );
    }
    return e;
  }

  private checkExtent(e: BatEntry, length: number, what: string): void {
    if (e.fileOffset < MiB || e.fileOffset + length > this.file.size) {
      throw corrupt(
        BAT_STRUCTURE,
        e.entryOffset,
        `${what} lies outside the file`,
        `${MiB}..${this.file.size - length}`,
        e.fileOffset,
      );
    }
  }

  private entry(index: number): BatEntry {
    const pageNo = Math.floor(index / PAGE_ENTRIES);
    const page = this.page(pageNo);
    const at = (index - pageNo * PAGE_ENTRIES) * 8;
    const raw = page.u64leBig(at);
    const mb = raw >> 20n;
    // A MiB offset past 2^33 is beyond any file a reader can address (2^53 bytes).
    const fileOffset = mb > 2n ** 33n ? Number.MAX_SAFE_INTEGER : Number(mb) * MiB;
    return { state: Number(raw & 7n), fileOffset, entryOffset: page.base + at };
  }

  private page(pageNo: number): Bytes {
    let p = this.pages.get(pageNo);
    if (p) return p;
    const first = pageNo * PAGE_ENTRIES;
    const count = Math.min(PAGE_ENTRIES, this.geometry.totalEntries - first);
    const at = this.region.fileOffset + first * 8;
    p = new Bytes(this.file.readAt(at, count * 8), BAT_STRUCTURE, at);
    if (this.pages.size >= CACHE_PAGES) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(pageNo, p);
    return p;
  }
}
