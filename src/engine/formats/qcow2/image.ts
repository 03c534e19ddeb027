// A qcow2 virtual disk: a read maps the whole request range to runs (host data, zeros,
// backing, compressed) and hands them to a RunAssembler, which coalesces runs contiguous in
// the host file into one read.
// Reference: QEMU docs/interop/qcow2.txt, "Cluster mapping" (unallocated clusters read from
// the backing file, or zeros past its end), "Snapshots" (a snapshot is another L1 table).

import { EngineError, corrupt } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { RunAssembler } from '../run-assembler.js';
import type { DiskImage, FormatInfo } from '../types.js';
import { CompressedClusterReader, DESCRIPTOR_STRUCTURE } from './compressed.js';
import type { Qcow2Header } from './header.js';
import { L2Cache } from './l2-cache.js';
import {
  ClusterMap,
  L1_STRUCTURE,
  SEG_BACKING,
  SEG_COMPRESSED,
  SEG_DATA,
  type MappingContext,
} from './mapping.js';
import { findSnapshot, type Qcow2Snapshot } from './snapshots.js';

/** Everything an image and its snapshot views share. */
export interface Qcow2Parts {
  readonly name: string;
  /** The qcow2 file: header, tables, compressed clusters. */
  readonly file: BlockSource;
  /** Where standard clusters live: the file itself or the external data file. */
  readonly data: BlockSource;
  readonly hasDataFile: boolean;
  readonly header: Qcow2Header;
  readonly info: FormatInfo;
  readonly backingFile?: string;
  readonly backing?: DiskImage;
  readonly snapshots: readonly Qcow2Snapshot[];
}

/** Which L1 table a view reads, and its guest size. */
interface View {
  readonly l1TableOffset: number;
  readonly l1Size: number;
  readonly virtualSize: number;
  readonly snapshot?: Qcow2Snapshot;
}

/** Shared between views of one file: caches are keyed by host offsets, valid for all. */
interface SharedState {
  readonly l2cache: L2Cache;
  readonly compressed: CompressedClusterReader;
}

export class Qcow2Image implements DiskImage {
  readonly format = 'qcow2';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;
  readonly backing: DiskImage | undefined;
  readonly backingFile: string | undefined;
  readonly snapshots: Qcow2Snapshot[];
  /** The snapshot this view shows, or undefined for the active layer. */
  readonly snapshot: Qcow2Snapshot | undefined;
  private readonly map: ClusterMap;

  constructor(
    private readonly parts: Qcow2Parts,
    view: View = activeView(parts.header),
    private readonly shared: SharedState = newSharedState(parts),
  ) {
    this.size = view.virtualSize;
    this.snapshot = view.snapshot;
    this.name = view.snapshot ? `${parts.name}@${view.snapshot.name}` : parts.name;
    this.info = view.snapshot
      ? { ...parts.info, virtualSize: view.virtualSize, snapshot: view.snapshot.name }
      : parts.info;
    this.backing = parts.backing;
    this.backingFile = parts.backingFile;
    this.snapshots = [...parts.snapshots];
    this.map = new ClusterMap(mappingContext(parts, shared), readL1(parts, view), view.l1Size);
  }

  /** The contents of an internal snapshot (by id, else by name), read through its own L1 table. */
  openSnapshot(idOrName: string): Qcow2Image {
    const s = findSnapshot(this.parts.snapshots, idOrName);
    if (!s)
      throw new EngineError('ENOENT', `${this.parts.name}: no snapshot ${idOrName}`, {
        path: idOrName,
      });
    const needed = Math.ceil(
      s.virtualSize / 2 ** (this.parts.header.clusterBits + this.parts.header.l2Bits),
    );
    if (s.l1Size < needed) {
      throw corrupt(
        'qcow2 snapshot table',
        s.entryOffset + 8,
        'snapshot L1 table too small for its size',
        `>= ${needed}`,
        s.l1Size,
      );
    }
    const view = {
      l1TableOffset: s.l1TableOffset,
      l1Size: s.l1Size,
      virtualSize: s.virtualSize,
      snapshot: s,
    };
    return new Qcow2Image(this.parts, view, this.shared);
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return readRuns(this.parts, this.shared, this.map, offset, length);
  }

  readInto(offset: number, dst: Uint8Array): void {
    checkRange(this, offset, dst.length);
    readRuns(this.parts, this.shared, this.map, offset, dst.length, dst);
  }
}

function activeView(h: Qcow2Header): View {
  return {
    l1TableOffset: h.fields.l1_table_offset,
    l1Size: h.fields.l1_size,
    virtualSize: h.virtualSize,
  };
}

function newSharedState(p: Qcow2Parts): SharedState {
  return {
    l2cache: new L2Cache(p.file, p.header.clusterSize),
    compressed: new CompressedClusterReader(p.file, p.header.clusterBits, p.header.compressionType),
  };
}

function mappingContext(p: Qcow2Parts, s: SharedState): MappingContext {
  return {
    header: p.header,
    l2cache: s.l2cache,
    dataSize: p.data.size,
    hasDataFile: p.hasDataFile,
  };
}

/** The L1 table is read whole; its size was bounded by MAX_L1_BYTES when validated. */
function readL1(p: Qcow2Parts, v: View): Bytes {
  const bytes = v.l1Size * 8;
  if (v.l1Size > 0 && v.l1TableOffset + bytes > p.file.size) {
    throw corrupt(
      L1_STRUCTURE,
      v.l1TableOffset,
      'extends past the end of the file',
      p.file.size,
      v.l1TableOffset + bytes,
    );
  }
  const buf = v.l1Size > 0 ? p.file.readAt(v.l1TableOffset, bytes) : new Uint8Array(0);
  return new Bytes(buf, L1_STRUCTURE, v.l1TableOffset);
}

/** Opened with skipBacking: reading what the backing file holds cannot give a true answer. */
function backingNotOpened(p: Qcow2Parts): EngineError {
  return new EngineError('ENOENT', `${p.name}: backing file ${p.backingFile} was not opened`, {
    path: p.backingFile,
  });
}

/** Turns the mapping's runs into RunAssembler calls. */
function readRuns(
  p: Qcow2Parts,
  s: SharedState,
  map: ClusterMap,
  offset: number,
  length: number,
  dst?: Uint8Array,
): Uint8Array {
  const out = new RunAssembler(length, p.data, p.backing, dst);
  map.forEach(offset, length, (kind, guest, len, host, entryPos, hi, lo) => {
    const at = guest - offset;
    if (kind === SEG_DATA) out.data(at, host, len);
    else if (kind === SEG_BACKING) {
      if (p.backingFile !== undefined && !p.backing) throw backingNotOpened(p);
      out.backing(at, guest, len);
    } else if (kind === SEG_COMPRESSED) {
      if (p.hasDataFile) {
        throw corrupt(
          DESCRIPTOR_STRUCTURE,
          entryPos,
          'compressed cluster in an image with an external data file',
        );
      }
      const from = guest % p.header.clusterSize;
      out.bytes(at, s.compressed.read(hi, lo, entryPos).subarray(from, from + len));
    }
  });
  return out.finish();
}
