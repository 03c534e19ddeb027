// Extents: the pieces a VMDK's virtual disk is made of, in descriptor order. Each maps a
// range of its own bytes to runs: host bytes of its file, zeros, the parent disk, or bytes
// already in memory (an inflated grain).
//   FLAT, VMFS, VMFSRAW, VMFSRDM(P)   a plain file (or device) from a sector offset
//   ZERO                              zeros, no file
//   SPARSE, VMFSSPARSE, SESPARSE      a sparse extent file: hosted "KDMV", ESX "COWD" or
//                                     seSparse, told apart by their magic as QEMU does
// Reference: VMware "Virtual Disk Format 1.1", "Extent Descriptions"; QEMU block/vmdk.c
// vmdk_parse_extents and vmdk_open_sparse.

import { EngineError, corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { CompressedGrainReader } from './compressed-grain.js';
import { COWD_MAGIC, readCowdHeader } from './cowd.js';
import {
  DESCRIPTOR_STRUCTURE,
  type ExtentAccess,
  type ExtentLine,
  type ExtentType,
} from './descriptor.js';
import {
  GRAIN_COMPRESSED,
  GRAIN_DATA,
  GRAIN_UNALLOCATED,
  GRAIN_ZERO,
  GrainMap,
  type GrainLayout,
} from './grain-map.js';
import { SESPARSE_MAGIC, readSeSparseHeader } from './sesparse.js';
import {
  SECTOR,
  SPARSE_MAGIC,
  readSparseHeader,
  type SparseExtentHeader,
} from './sparse-header.js';

/** Run kinds an extent reports (the grain kinds, plus bytes already in memory). */
export const RUN_PARENT = GRAIN_UNALLOCATED;
export const RUN_ZERO = GRAIN_ZERO;
export const RUN_DATA = GRAIN_DATA;
export const RUN_BYTES = 4;
export type RunKind = typeof RUN_PARENT | typeof RUN_ZERO | typeof RUN_DATA | typeof RUN_BYTES;

/** `at` is relative to the extent; `host` is in the extent file (RUN_DATA); `bytes` for RUN_BYTES. */
export type RunVisitor = (
  kind: RunKind,
  at: number,
  length: number,
  host: number,
  bytes?: Uint8Array,
) => void;

export interface Extent {
  readonly access: ExtentAccess;
  readonly type: ExtentType;
  readonly fileName: string | undefined;
  /** The file runs of kind RUN_DATA read from. */
  readonly file: BlockSource | undefined;
  readonly size: number;
  /** Sparse extents only: bytes per grain, entries per grain table and in the directory. */
  readonly grainSize?: number;
  readonly gtEntries?: number;
  readonly gdEntries?: number;
  readonly compressed: boolean;
  /** Which sparse format the file holds: "hosted", "COWD" or "seSparse". */
  readonly sparseFormat?: string;
  /** Visit the runs of [offset, offset + length) of this extent. */
  map(offset: number, length: number, visit: RunVisitor): void;
}

interface ExtentBase {
  access: ExtentAccess;
  type: ExtentType;
  fileName: string | undefined;
  size: number;
}

export class FlatExtent implements Extent {
  readonly compressed = false;
  readonly access: ExtentAccess;
  readonly type: ExtentType;
  readonly fileName: string | undefined;
  readonly size: number;

  constructor(
    base: ExtentBase,
    readonly file: BlockSource,
    private readonly start: number,
  ) {
    ({ access: this.access, type: this.type, fileName: this.fileName, size: this.size } = base);
  }

  map(offset: number, length: number, visit: RunVisitor): void {
    visit(RUN_DATA, offset, length, this.start + offset);
  }
}

export class ZeroExtent implements Extent {
  readonly compressed = false;
  readonly file = undefined;
  readonly access: ExtentAccess;
  readonly type: ExtentType;
  readonly fileName: string | undefined;
  readonly size: number;

  constructor(base: ExtentBase) {
    ({ access: this.access, type: this.type, fileName: this.fileName, size: this.size } = base);
  }

  map(offset: number, length: number, visit: RunVisitor): void {
    visit(RUN_ZERO, offset, length, 0);
  }
}

/** What a sparse extent file holds, whichever of the three formats it is in. */
export interface SparseFile {
  readonly format: 'hosted' | 'COWD' | 'seSparse';
  readonly capacity: number;
  readonly layout: GrainLayout;
  /** Hosted sparse files only. */
  readonly header?: SparseExtentHeader;
}

/** Open a sparse extent file by its magic, or undefined if it has none of the three. */
export function readSparseFile(file: BlockSource): SparseFile | undefined {
  if (file.size < 8) return undefined;
  const head = new DataView(file.readAt(0, 8).buffer);
  const magic = head.getUint32(0, true);
  if (magic === SPARSE_MAGIC) {
    const header = readSparseHeader(file);
    return { format: 'hosted', capacity: header.capacity, layout: hostedLayout(header), header };
  }
  if (magic === COWD_MAGIC) return { format: 'COWD', ...readCowdHeader(file) };
  if (head.getBigUint64(0, true) === SESPARSE_MAGIC) {
    return { format: 'seSparse', ...readSeSparseHeader(file) };
  }
  return undefined;
}

export class SparseExtent implements Extent {
  readonly access: ExtentAccess;
  readonly type: ExtentType;
  readonly fileName: string | undefined;
  readonly size: number;
  readonly grainSize: number;
  readonly gtEntries: number;
  readonly gdEntries: number;
  readonly compressed: boolean;
  readonly sparseFormat: string;
  private readonly grains: GrainMap;
  private readonly inflater: CompressedGrainReader | undefined;

  constructor(
    base: ExtentBase,
    readonly file: BlockSource,
    sparse: SparseFile,
  ) {
    ({ access: this.access, type: this.type, fileName: this.fileName, size: this.size } = base);
    this.grainSize = sparse.layout.grainSize;
    this.gtEntries = sparse.layout.gtEntries;
    this.gdEntries = sparse.layout.gdEntries;
    this.compressed = sparse.layout.compressed;
    this.sparseFormat = sparse.format;
    this.grains = new GrainMap(file, sparse.layout);
    this.inflater = this.compressed
      ? new CompressedGrainReader(file, this.grainSize, sparse.header?.markers ?? false)
      : undefined;
  }

  map(offset: number, length: number, visit: RunVisitor): void {
    this.grains.forEach(offset, length, (kind, at, len, host) => {
      if (kind !== GRAIN_COMPRESSED) {
        visit(kind, at, len, host);
        return;
      }
      const grainStart = at - (at % this.grainSize);
      const grain = this.inflater!.read(host, Math.min(this.grainSize, this.size - grainStart));
      const from = at - grainStart;
      visit(RUN_BYTES, at, len, 0, grain.subarray(from, from + len));
    });
  }
}

/** The hosted sparse map: GD and GT entries are u32 sector offsets; GTE 1 may mean zeros. */
export function hostedLayout(h: SparseExtentHeader): GrainLayout {
  return {
    gdStructure: 'VMDK grain directory',
    gtStructure: 'VMDK grain table',
    grainSize: h.grainSize,
    gtEntries: h.gtEntries,
    entryBytes: 4,
    gdOffset: h.gdOffset,
    gdEntries: h.gdEntries,
    compressed: h.compressed,
    gtOffset: (gd, i) => gd.u32le(i * 4) * SECTOR,
    grain: (gt, i) => {
      const sector = gt.u32le(i * 4);
      if (sector === 0) return -1;
      if (sector === 1 && h.zeroGrain) return -2;
      // Grains follow the metadata (overHead); an entry inside it would read the header
      // or the tables as guest data.
      if (sector * SECTOR < h.overHead) {
        throw corrupt(
          'VMDK grain table',
          gt.base + i * 4,
          'grain inside the metadata area',
          `>= ${h.overHead / SECTOR}`,
          sector,
        );
      }
      return sector * SECTOR;
    },
  };
}

/**
 * The extent a descriptor line names, over its (already resolved) file. A sparse extent
 * must cover the size the line gives it; a flat file must hold it.
 */
export function openExtent(line: ExtentLine, file: BlockSource | undefined): Extent {
  const base: ExtentBase = {
    access: line.access,
    type: line.type,
    fileName: line.fileName,
    size: line.sectors * SECTOR,
  };
  if (line.type === 'ZERO') return new ZeroExtent(base);
  if (!file) {
    throw new EngineError('ENOENT', `needs extent ${line.fileName}`, { path: line.fileName });
  }
  if (line.type === 'SPARSE' || line.type === 'VMFSSPARSE' || line.type === 'SESPARSE') {
    const sparse = readSparseFile(file);
    if (!sparse) {
      throw corrupt(
        DESCRIPTOR_STRUCTURE,
        line.at,
        `${line.fileName} is not a sparse extent (no KDMV, COWD or seSparse magic)`,
      );
    }
    if (sparse.capacity < base.size) {
      throw corrupt(
        DESCRIPTOR_STRUCTURE,
        line.at,
        "extent larger than its sparse file's capacity",
        `<= ${sparse.capacity / SECTOR}`,
        line.sectors,
      );
    }
    return new SparseExtent(base, file, sparse);
  }
  const start = line.offset * SECTOR;
  if (start + base.size > file.size) {
    throw corrupt(
      DESCRIPTOR_STRUCTURE,
      line.at,
      `flat extent past the end of ${line.fileName}`,
      `<= ${file.size}`,
      start + base.size,
    );
  }
  return new FlatExtent(base, file, start);
}
