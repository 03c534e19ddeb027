// The VDI block map: one u32 per block of the virtual disk, the block's number in the data
// area (at offData + n × (cbBlockExtra + cbBlock) + cbBlockExtra), or VDI_IMAGE_BLOCK_FREE
// (0xffffffff: never written, zeros) or VDI_IMAGE_BLOCK_ZERO (0xfffffffe: discarded, zeros).
// Reference: VirtualBox src/VBox/Storage/VDI.cpp vdiBlockGetOffset / IS_VDI_IMAGE_BLOCK_
// ALLOCATED; QEMU block/vdi.c vdi_co_preadv (both special values read as zeros).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { BLOCK_FREE, BLOCK_ZERO, type VdiHeader } from './header.js';

export const BLOCK_MAP_STRUCTURE = 'VDI block map';

/** What a run of guest bytes reads from. */
export const VDI_ZERO = 0;
export const VDI_DATA = 1;

export type BlockVisitor = (
  kind: typeof VDI_ZERO | typeof VDI_DATA,
  guest: number,
  length: number,
  host: number,
) => void;

export class BlockMap {
  private readonly map: Bytes;

  /** Reads the map whole: its size was bounded by MAX_BLOCKS when the header was validated. */
  constructor(
    private readonly file: BlockSource,
    private readonly header: VdiHeader,
  ) {
    const bytes = header.blocks * 4;
    this.map = new Bytes(
      file.readAt(header.mapOffset, bytes),
      BLOCK_MAP_STRUCTURE,
      header.mapOffset,
    );
  }

  /** How many blocks have data in the file (entries that are block numbers). */
  allocatedBlocks(): number {
    let n = 0;
    for (let i = 0; i < this.header.blocks; i++) if (this.map.u32le(i * 4) < BLOCK_ZERO) n++;
    return n;
  }

  /** Visit [offset, offset + length) of the disk in runs, each within one block. */
  forEach(offset: number, length: number, visit: BlockVisitor): void {
    const size = this.header.blockSize;
    const end = offset + length;
    for (let pos = offset; pos < end;) {
      const block = Math.floor(pos / size);
      const stop = Math.min(end, (block + 1) * size);
      const entry = this.map.u32le(block * 4);
      if (entry === BLOCK_FREE || entry === BLOCK_ZERO) visit(VDI_ZERO, pos, stop - pos, 0);
      else visit(VDI_DATA, pos, stop - pos, this.host(block, entry) + (pos - block * size));
      pos = stop;
    }
  }

  private host(block: number, entry: number): number {
    const h = this.header;
    const host = h.dataOffset + entry * h.blockStride + h.blockExtra;
    if (host >= this.file.size) {
      throw corrupt(
        BLOCK_MAP_STRUCTURE,
        this.map.base + block * 4,
        'block past the end of the file',
        `< ${Math.ceil((this.file.size - h.dataOffset) / h.blockStride)}`,
        entry,
      );
    }
    return host;
  }
}
