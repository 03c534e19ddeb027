// Reading file data by its device runs: the crate's fs_map says where a range of a file
// lies on the device (wasm/fsabi/src/map.rs), and the bytes go from the device's
// BlockSource straight into the caller's buffer. Before, every byte crossed into linear
// memory through env.read_at and was copied out again. Holes are zero-filled here; the
// runs the crate cannot map (inline, resident, compressed, encrypted data) are read through
// fs_read as before, which also reports why it cannot read them when it cannot.
// Reference: wasm/README.md "fs_map"; DESIGN.md "Layers" (few, large reads).

import { corrupt } from '../../errors.js';
import { type BlockSource, readInto } from '../../io/block-source.js';
import type { RawFsExports } from './abi.js';
import type { Live, WasmFs } from './wasm-fs.js';

/** One run record: u64 device offset, u64 length, u32 kind, u32 0. */
export const RUN_SIZE = 24;
/** fsabi::map::MAX_RUNS: the crate never returns more in one call. */
export const MAX_RUNS = 1024;
export const RUN_DATA = 0;
export const RUN_ZERO = 1;
export const RUN_UNMAPPED = 2;

const TWO_32 = 2 ** 32;
/** A u64 above this is past 2^53 and cannot be an exact offset here. */
const MAX_HIGH_WORD = 2 ** 21 - 1;
const KIND_NAMES = ['data', 'zero', 'unmapped'] as const;

/** An export that maps a byte range of a file: fs_map, or a stream's variant. */
export type MapFn = (
  x: RawFsExports,
  handle: number,
  offset: bigint,
  length: bigint,
  out: number,
  outLen: number,
  live: Live,
) => bigint;

/** Reads `part` (bytes at file offset `at`) the module's own way; returns bytes read. */
export type UnmappedRead = (at: number, part: Uint8Array) => number;

/** Where a range of a file lies: device bytes, zeros, or data only the module can read. */
export interface FileRun {
  kind: 'data' | 'zero' | 'unmapped';
  /** Byte offset in the file. */
  offset: number;
  length: number;
  /** Byte offset on the device, for data runs. */
  device?: number;
}

/** fs_map for file `ino` (the unnamed data, for NTFS). */
export function fileMap(ino: number): MapFn {
  return (x, h, off, len, out, outLen) => x.fs_map!(h, ino, off, len, out, outLen);
}

/** A decoded run list, reused from call to call (no allocation per read). */
class RunList {
  readonly dev = new Float64Array(MAX_RUNS);
  readonly len = new Float64Array(MAX_RUNS);
  readonly kind = new Uint8Array(MAX_RUNS);
  count = 0;
  /** Bytes the runs cover. */
  covered = 0;

  /**
   * Decodes `count` records and checks them against what was asked: they cover at most
   * `want` bytes (the crate guarantees it; a violation means the module and this adapter
   * disagree). A data run past the end of the device (a truncated image) is the device's
   * to refuse when it is read: an 'io' error, as through env.read_at.
   */
  decode(rec: Uint8Array, count: number, want: number, driver: string): void {
    const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (count > MAX_RUNS) throw bad(driver, 'too many runs', count);
    let covered = 0;
    for (let i = 0; i < count; i++) {
      const at = i * RUN_SIZE;
      const len = u64(dv, at + 8, driver);
      const kind = dv.getUint32(at + 16, true);
      covered += len;
      if (kind > RUN_UNMAPPED || len === 0 || covered > want) throw bad(driver, 'bad run', i);
      this.dev[i] = u64(dv, at, driver);
      this.len[i] = len;
      this.kind[i] = kind;
    }
    this.count = count;
    this.covered = covered;
  }
}

/** The mapped read path of one WasmFs instance over its device. */
export class MappedReader {
  private readonly list = new RunList();

  constructor(
    private readonly wasm: WasmFs,
    private readonly device: BlockSource,
    private readonly driver: string,
  ) {}

  /**
   * Up to `length` bytes at `offset` (short only at end of file). When one data run covers
   * the request the device's own buffer is returned (a format's readAt result: no copy
   * here at all); otherwise the runs fill a new buffer.
   */
  read(
    offset: number,
    length: number,
    map: MapFn,
    unmapped: UnmappedRead,
    path?: string,
  ): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const runs = this.fetch(offset, length, map, path);
    // One run short of the request ends the file (a full list would hold more runs).
    if (runs.count === 1 && runs.kind[0] === RUN_DATA)
      return this.device.readAt(runs.dev[0]!, runs.covered);
    const out = new Uint8Array(length);
    const n = this.readInto(offset, out, map, unmapped, path, runs);
    return n === length ? out : out.slice(0, n);
  }

  /** Fills `dst` from `offset` (all of it unless the file ends); returns the bytes read.
   * `first` is a run list already fetched for `offset`. */
  readInto(
    offset: number,
    dst: Uint8Array,
    map: MapFn,
    unmapped: UnmappedRead,
    path?: string,
    first?: RunList,
  ): number {
    let done = 0;
    let runs = first;
    while (done < dst.length) {
      runs ??= this.fetch(offset + done, dst.length - done, map, path);
      if (runs.count === 0) break;
      const got = this.fill(runs, dst, done, offset + done, unmapped);
      done += got;
      if (got < runs.covered) break;
      runs = undefined;
    }
    return done;
  }

  /** The runs behind `[offset, offset + length)`, as objects (tools and tests). */
  runs(offset: number, length: number, map: MapFn, path?: string): FileRun[] {
    const out: FileRun[] = [];
    for (let pos = offset; pos < offset + length;) {
      const runs = this.fetch(pos, offset + length - pos, map, path);
      if (runs.count === 0) break;
      for (let i = 0; i < runs.count; i++) {
        const run: FileRun = {
          kind: KIND_NAMES[runs.kind[i]!]!,
          offset: pos,
          length: runs.len[i]!,
        };
        if (run.kind === 'data') run.device = runs.dev[i]!;
        out.push(run);
        pos += run.length;
      }
    }
    return out;
  }

  /** One map call, decoded into the reused run list. */
  private fetch(offset: number, length: number, map: MapFn, path?: string): RunList {
    this.wasm.call((x, h, l) => {
      const r = map(x, h, BigInt(offset), BigInt(length), l.scratch, MAX_RUNS * RUN_SIZE, l);
      if (r >= 0n) {
        const rec = new Uint8Array(x.memory.buffer, l.scratch, MAX_RUNS * RUN_SIZE);
        this.list.decode(rec, Number(r), length, this.driver);
      }
      return r;
    }, path);
    return this.list;
  }

  /** Fills `dst` from `at` with the runs (file offset `pos`); short only when an unmapped
   * part reads short (end of file). */
  private fill(
    runs: RunList,
    dst: Uint8Array,
    at: number,
    pos: number,
    unmapped: UnmappedRead,
  ): number {
    let done = 0;
    for (let i = 0; i < runs.count; i++) {
      const len = runs.len[i]!;
      const part = dst.subarray(at + done, at + done + len);
      const kind = runs.kind[i];
      if (kind === RUN_DATA) readInto(this.device, runs.dev[i]!, part);
      else if (kind === RUN_ZERO) part.fill(0);
      else {
        const got = unmapped(pos + done, part);
        if (got < len) return done + got;
      }
      done += len;
    }
    return done;
  }
}

function u64(dv: DataView, at: number, driver: string): number {
  const hi = dv.getUint32(at + 4, true);
  if (hi > MAX_HIGH_WORD) throw bad(driver, 'run value past 2^53', hi);
  return hi * TWO_32 + dv.getUint32(at, true);
}

function bad(driver: string, what: string, actual: number) {
  return corrupt(`${driver} module run list`, 0, what, undefined, actual);
}
