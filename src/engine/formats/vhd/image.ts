// A VHD virtual disk. Fixed: the guest bytes are the file's first bytes. Dynamic: each block
// is found through the BAT (unallocated blocks read as zeros; the sector bitmap is not
// consulted, as QEMU does not). Differencing: within an allocated block a sector whose
// bitmap bit is clear, and every sector of an unallocated block, comes from the parent.
// Reads go through a RunAssembler so runs contiguous in the file cost one read.
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0, "Block
// Allocation Table and Data Blocks" (bitmap semantics for differencing disks).

import { EngineError } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { RunAssembler } from '../run-assembler.js';
import type { DiskImage, FormatInfo } from '../types.js';
import { BitmapCache, UNALLOCATED, sectorPresent, type VhdBat } from './bat.js';
import { DISK_DIFFERENCING, DISK_FIXED, type VhdFooter } from './footer.js';

export interface VhdParts {
  readonly name: string;
  readonly file: BlockSource;
  readonly footer: VhdFooter;
  readonly bat: VhdBat | undefined;
  readonly info: FormatInfo;
  /** The parent's file name as the image names it (differencing disks). */
  readonly backingFile: string | undefined;
  readonly backing: DiskImage | undefined;
}

export class VhdImage implements DiskImage {
  readonly format = 'vpc';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;
  readonly backing: DiskImage | undefined;
  readonly backingFile: string | undefined;
  private readonly bitmaps: BitmapCache | undefined;

  constructor(private readonly parts: VhdParts) {
    this.size = parts.footer.virtualSize;
    this.name = parts.name;
    this.info = parts.info;
    this.backing = parts.backing;
    this.backingFile = parts.backingFile;
    const differencing = parts.footer.diskType === DISK_DIFFERENCING;
    this.bitmaps = differencing && parts.bat ? new BitmapCache(parts.file, parts.bat) : undefined;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (this.parts.footer.diskType === DISK_FIXED) return this.parts.file.readAt(offset, length);
    const out = new RunAssembler(length, this.parts.file, this.backing);
    const bat = this.parts.bat!;
    for (let pos = offset; pos < offset + length;) {
      const block = Math.floor(pos / bat.blockSize);
      const inBlock = pos - block * bat.blockSize;
      const len = Math.min(bat.blockSize - inBlock, offset + length - pos);
      this.readBlock(out, pos - offset, block, inBlock, len);
      pos += len;
    }
    return out.finish();
  }

  private readBlock(
    out: RunAssembler,
    at: number,
    block: number,
    inBlock: number,
    len: number,
  ): void {
    const bat = this.parts.bat!;
    const sector = bat.entries[block]!;
    const guest = block * bat.blockSize + inBlock;
    if (sector === UNALLOCATED) {
      if (this.bitmaps) this.fromParent(out, at, guest, len);
      return; // dynamic: zeros, already in the output
    }
    const dataStart = sector * 512 + bat.bitmapSize;
    if (!this.bitmaps) {
      out.data(at, dataStart + inBlock, len);
      return;
    }
    this.readBySectorBitmap(out, at, block, inBlock, len, dataStart);
  }

  /** Differencing: runs of set bits come from this file, runs of clear bits from the parent. */
  private readBySectorBitmap(
    out: RunAssembler,
    at: number,
    block: number,
    inBlock: number,
    len: number,
    dataStart: number,
  ): void {
    const bitmap = this.bitmaps!.get(block);
    const blockBase = block * this.parts.bat!.blockSize;
    for (let pos = inBlock; pos < inBlock + len;) {
      const s = Math.floor(pos / 512);
      const present = sectorPresent(bitmap, s);
      let end = Math.min((s + 1) * 512, inBlock + len);
      // Extend over following sectors in the same state.
      while (end < inBlock + len && sectorPresent(bitmap, end / 512) === present) {
        end = Math.min(end + 512, inBlock + len);
      }
      if (present) out.data(at + pos - inBlock, dataStart + pos, end - pos);
      else this.fromParent(out, at + pos - inBlock, blockBase + pos, end - pos);
      pos = end;
    }
  }

  private fromParent(out: RunAssembler, at: number, guest: number, len: number): void {
    if (!this.backing) {
      throw new EngineError('ENOENT', `${this.name}: parent ${this.backingFile} was not opened`, {
        path: this.backingFile,
      });
    }
    out.backing(at, guest, len);
  }
}
