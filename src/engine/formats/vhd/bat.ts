// The VHD block allocation table: one big-endian u32 per block, the sector where the block
// (its sector bitmap, then its data) starts, or 0xFFFFFFFF when the block is unallocated.
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0,
// "Block Allocation Table and Data Blocks"; QEMU block/vpc.c vpc_open (bitmap size, checks).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes, checkedAlloc } from '../../io/bytes.js';
import { DYNAMIC_HEADER_STRUCTURE, type VhdDynamicHeader } from './dynamic-header.js';

export const BAT_STRUCTURE = 'VHD block allocation table';
export const BITMAP_STRUCTURE = 'VHD sector bitmap';
export const UNALLOCATED = 0xffffffff;
/**
 * The table is read whole at open. 2^24 entries (64 MiB) cover a 2040 GiB VHD (the format's
 * limit) in 128 KiB blocks; real images use 2 MiB blocks (a few MiB of table at most).
 */
export const MAX_BAT_ENTRIES = 2 ** 24;

export interface VhdBat {
  readonly entries: Uint32Array;
  readonly offset: number;
  readonly blockSize: number;
  /** Bytes of the sector bitmap in front of each block: one bit per sector, sector-aligned. */
  readonly bitmapSize: number;
  readonly allocatedBlocks: number;
}

/** The bitmap size QEMU and Windows use: blockSize / 512 bits, rounded up to a sector. */
export function bitmapSizeOf(blockSize: number): number {
  return Math.ceil(blockSize / 512 / 8 / 512) * 512;
}

/**
 * Read the entries for the blocks of a `virtualSize` disk and check every allocated block
 * lies inside the file (QEMU refuses the image at open too: "image has been truncated").
 */
export function readBat(file: BlockSource, h: VhdDynamicHeader, virtualSize: number): VhdBat {
  const needed = Math.ceil(virtualSize / h.blockSize);
  if (needed > h.maxTableEntries) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      h.offset + 28,
      'max table entries too small for the disk size',
      `>= ${needed}`,
      h.maxTableEntries,
    );
  }
  checkedAlloc(BAT_STRUCTURE, h.tableOffset, needed, MAX_BAT_ENTRIES, 'MAX_BAT_ENTRIES');
  const bytes = needed * 4;
  if (h.tableOffset + bytes > file.size) {
    throw corrupt(
      BAT_STRUCTURE,
      h.tableOffset,
      'extends past the end of the file',
      `<= ${file.size}`,
      h.tableOffset + bytes,
    );
  }
  const b = new Bytes(
    bytes > 0 ? file.readAt(h.tableOffset, bytes) : new Uint8Array(0),
    BAT_STRUCTURE,
    h.tableOffset,
  );
  const bitmapSize = bitmapSizeOf(h.blockSize);
  const entries = new Uint32Array(needed);
  let allocated = 0;
  for (let i = 0; i < needed; i++) {
    const sector = b.u32be(i * 4);
    entries[i] = sector;
    if (sector === UNALLOCATED) continue;
    allocated++;
    const end = sector * 512 + bitmapSize + h.blockSize;
    if (end > file.size) {
      throw corrupt(
        BAT_STRUCTURE,
        h.tableOffset + i * 4,
        `block ${i} extends past the end of the file`,
        `<= ${file.size}`,
        end,
      );
    }
  }
  return {
    entries,
    offset: h.tableOffset,
    blockSize: h.blockSize,
    bitmapSize,
    allocatedBlocks: allocated,
  };
}

/**
 * Recently used sector bitmaps of a differencing disk (one read of bitmapSize bytes per
 * block, kept so sequential sector reads inside a block do not re-read it).
 */
export class BitmapCache {
  private readonly cache = new Map<number, Uint8Array>();
  /** 64 bitmaps: 64 × 512 bytes for 2 MiB blocks, 128 MiB of guest data. */
  private static readonly CAPACITY = 64;

  constructor(
    private readonly file: BlockSource,
    private readonly bat: VhdBat,
  ) {}

  get(block: number): Uint8Array {
    let bm = this.cache.get(block);
    if (bm) {
      this.cache.delete(block);
      this.cache.set(block, bm);
      return bm;
    }
    bm = this.file.readAt(this.bat.entries[block]! * 512, this.bat.bitmapSize);
    if (this.cache.size >= BitmapCache.CAPACITY) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(block, bm);
    return bm;
  }
}

/** Bit `sector` of a VHD sector bitmap: the most significant bit of byte 0 is sector 0. */
export function sectorPresent(bitmap: Uint8Array, sector: number): boolean {
  return ((bitmap[sector >>> 3]! >>> (7 - (sector & 7))) & 1) === 1;
}
