// Hive bins and the cells in them. A hive bin is a 4 KiB-multiple page with a 32-byte
// header; cells fill the rest back to back, each starting with a signed 32-bit size
// (negative = allocated). We walk every bin once at open time and remember where each
// allocated cell starts, so that any offset read from a record can be checked to point at
// the start of a live cell — a hostile offset into the middle of a cell, into free space
// or past the end becomes a `corrupt` error instead of a misread.
// Reference: M. Suhanov, "Windows registry file format specification", "Hive bin", "Cell".

import { corrupt } from '../errors.js';
import { Bytes } from '../io/bytes.js';
import { HIVE_BINS_START } from './base-block.js';

const HBIN_STRUCTURE = 'regf hive bin';
const CELL_STRUCTURE = 'regf cell';
const HBIN_HEADER_SIZE = 32;
/** Cells are 8-byte aligned on Windows; hivex accepts 4. We track at 4-byte granularity. */
const CELL_GRANULE = 4;

export interface HiveBin {
  /** Absolute file offset of the bin. */
  offset: number;
  size: number;
}

/** Where the allocated cells are; built once by `scanHiveBins`. */
export class CellMap {
  private readonly starts: Uint8Array;

  constructor(
    private readonly file: Uint8Array,
    readonly bins: HiveBin[],
    end: number,
  ) {
    // One bit per 4-byte granule: ≤ file size / 32 bytes.
    this.starts = new Uint8Array(Math.ceil(end / CELL_GRANULE / 8));
  }

  mark(offset: number): void {
    const g = offset / CELL_GRANULE;
    this.starts[g >>> 3]! |= 1 << (g & 7);
  }

  isAllocatedCell(offset: number): boolean {
    if (offset % CELL_GRANULE !== 0) return false;
    const g = offset / CELL_GRANULE;
    const byte = this.starts[g >>> 3];
    return byte !== undefined && (byte & (1 << (g & 7))) !== 0;
  }

  /**
   * The data of the allocated cell at absolute offset `offset` (after its size field),
   * as a bounds-checked reader named after the record the caller expects there.
   */
  cellData(offset: number, structure: string): Bytes {
    if (!this.isAllocatedCell(offset)) {
      throw corrupt(structure, offset, 'offset is not the start of an allocated cell');
    }
    const size = -new DataView(this.file.buffer, this.file.byteOffset + offset, 4).getInt32(
      0,
      true,
    );
    return new Bytes(this.file.subarray(offset + 4, offset + size), structure, offset + 4);
  }
}

/** Walk every hive bin in [HIVE_BINS_START, end) and every cell in it. */
export function scanHiveBins(file: Uint8Array, end: number): CellMap {
  const bins: HiveBin[] = [];
  const map = new CellMap(file, bins, end);
  for (let off = HIVE_BINS_START; off < end;) {
    const bin = readBinHeader(file, off, end);
    bins.push(bin);
    scanCells(file, bin, map);
    off += bin.size;
  }
  return map;
}

function readBinHeader(file: Uint8Array, off: number, end: number): HiveBin {
  const b = new Bytes(
    file.subarray(off, Math.min(off + HBIN_HEADER_SIZE, end)),
    HBIN_STRUCTURE,
    off,
  );
  if (!b.equals(0, 'hbin'))
    throw corrupt(HBIN_STRUCTURE, off, 'bad signature', 'hbin', b.ascii(0, 4));
  const declared = b.u32le(4);
  if (declared !== off - HIVE_BINS_START) {
    throw corrupt(
      HBIN_STRUCTURE,
      off + 4,
      'offset field disagrees with the bin position',
      off - HIVE_BINS_START,
      declared,
    );
  }
  const size = b.u32le(8);
  if (size <= HBIN_HEADER_SIZE || size % 4096 !== 0 || off + size > end) {
    throw corrupt(
      HBIN_STRUCTURE,
      off + 8,
      'size is not a 4 KiB multiple within the hive bins',
      `<= ${end - off}`,
      size,
    );
  }
  return { offset: off, size };
}

function scanCells(file: Uint8Array, bin: HiveBin, map: CellMap): void {
  const dv = new DataView(file.buffer, file.byteOffset);
  const binEnd = bin.offset + bin.size;
  for (let off = bin.offset + HBIN_HEADER_SIZE; off < binEnd;) {
    const raw = dv.getInt32(off, true);
    const size = Math.abs(raw);
    if (size < 8 || size % CELL_GRANULE !== 0) {
      throw corrupt(
        CELL_STRUCTURE,
        off,
        'cell size is not a positive multiple of 4 (≥ 8)',
        '>= 8',
        raw,
      );
    }
    if (off + size > binEnd) {
      throw corrupt(
        CELL_STRUCTURE,
        off,
        'cell extends past the end of its hive bin',
        `<= ${binEnd - off}`,
        size,
      );
    }
    if (raw < 0) map.mark(off);
    off += size;
  }
}
