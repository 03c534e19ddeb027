// A VHDX virtual disk: each payload block's BAT state says where its bytes are. Without a
// parent, blocks not present (NOT_PRESENT, UNDEFINED) and ZERO/UNMAPPED blocks read as
// zeros. With a parent, NOT_PRESENT and UNDEFINED blocks read the parent, ZERO and UNMAPPED
// blocks zeros, and a PARTIALLY_PRESENT block takes each sector whose sector-bitmap bit is
// set from this file and the others from the parent.
// Reference: [MS-VHDX] §2.5.1.1 Payload BAT Entry States (read semantics with and without a
// parent), §2.5.1.2 sector bitmap (one bit per logical sector, least significant bit first).

import { EngineError, corrupt } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { RunAssembler } from '../run-assembler.js';
import type { DiskImage, FormatInfo } from '../types.js';
import {
  BAT_STRUCTURE,
  PAYLOAD_BLOCK_FULLY_PRESENT,
  PAYLOAD_BLOCK_NOT_PRESENT,
  PAYLOAD_BLOCK_PARTIALLY_PRESENT,
  PAYLOAD_BLOCK_UNDEFINED,
  SB_BLOCK_PRESENT,
  STATE_NAMES,
  type VhdxBat,
} from './bat.js';
import type { VhdxMetadata } from './metadata.js';

export interface VhdxParts {
  readonly name: string;
  /** The file, seen through the log replay when there was one. */
  readonly file: BlockSource;
  readonly metadata: VhdxMetadata;
  readonly bat: VhdxBat;
  readonly info: FormatInfo;
  readonly backingFile: string | undefined;
  readonly backing: DiskImage | undefined;
}

/** Sector bitmaps of recently read partially present blocks (at most 64 KiB each). */
const BITMAP_CACHE_BLOCKS = 32;

export class VhdxImage implements DiskImage {
  readonly format = 'vhdx';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;
  readonly backing: DiskImage | undefined;
  readonly backingFile: string | undefined;
  private readonly bitmaps = new Map<number, Uint8Array>();

  constructor(private readonly parts: VhdxParts) {
    this.size = parts.metadata.virtualDiskSize;
    this.name = parts.name;
    this.info = parts.info;
    this.backing = parts.backing;
    this.backingFile = parts.backingFile;
  }

  /** The BAT state of payload block `block` by its specification name ("FULLY_PRESENT", …). */
  payloadState(block: number): string {
    return STATE_NAMES[this.parts.bat.payload(block).state]!;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = new RunAssembler(length, this.parts.file, this.backing);
    const bs = this.parts.metadata.blockSize;
    for (let pos = offset; pos < offset + length;) {
      const block = Math.floor(pos / bs);
      const inBlock = pos - block * bs;
      const len = Math.min(bs - inBlock, offset + length - pos);
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
    const e = this.parts.bat.payload(block);
    const guest = block * this.parts.metadata.blockSize + inBlock;
    const hasParent = this.parts.metadata.hasParent;
    switch (e.state) {
      case PAYLOAD_BLOCK_FULLY_PRESENT:
        out.data(at, e.fileOffset + inBlock, len);
        return;
      case PAYLOAD_BLOCK_PARTIALLY_PRESENT:
        if (!hasParent) {
          throw corrupt(
            BAT_STRUCTURE,
            e.entryOffset,
            `payload block ${block} partially present in a disk without a parent`,
            'a state other than PARTIALLY_PRESENT',
            e.state,
          );
        }
        this.readPartial(out, at, block, inBlock, len, e.fileOffset);
        return;
      case PAYLOAD_BLOCK_NOT_PRESENT:
      case PAYLOAD_BLOCK_UNDEFINED:
        if (hasParent) this.fromParent(out, at, guest, len);
        return;
      default:
        return; // ZERO, UNMAPPED: zeros, already in the output
    }
  }

  private readPartial(
    out: RunAssembler,
    at: number,
    block: number,
    inBlock: number,
    len: number,
    data: number,
  ): void {
    const bitmap = this.bitmapOf(block);
    const ss = this.parts.metadata.logicalSectorSize;
    const blockBase = block * this.parts.metadata.blockSize;
    const present = (s: number): boolean => ((bitmap[s >>> 3]! >>> (s & 7)) & 1) === 1;
    for (let pos = inBlock; pos < inBlock + len;) {
      const state = present(Math.floor(pos / ss));
      let end = Math.min((Math.floor(pos / ss) + 1) * ss, inBlock + len);
      while (end < inBlock + len && present(end / ss) === state)
        end = Math.min(end + ss, inBlock + len);
      if (state) out.data(at + pos - inBlock, data + pos, end - pos);
      else this.fromParent(out, at + pos - inBlock, blockBase + pos, end - pos);
      pos = end;
    }
  }

  /** This block's bits of its chunk's 1 MiB sector bitmap. */
  private bitmapOf(block: number): Uint8Array {
    const cached = this.bitmaps.get(block);
    if (cached) return cached;
    const { bat, metadata: m } = this.parts;
    const e = bat.sectorBitmap(block);
    if (e.state !== SB_BLOCK_PRESENT) {
      throw corrupt(
        BAT_STRUCTURE,
        e.entryOffset,
        `partially present block ${block} has no sector bitmap`,
        'SB_BLOCK_PRESENT',
        e.state,
      );
    }
    const bytes = m.blockSize / m.logicalSectorSize / 8;
    const within = (block % bat.geometry.chunkRatio) * bytes;
    const bm = this.parts.file.readAt(e.fileOffset + within, bytes);
    if (this.bitmaps.size >= BITMAP_CACHE_BLOCKS)
      this.bitmaps.delete(this.bitmaps.keys().next().value!);
    this.bitmaps.set(block, bm);
    return bm;
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
