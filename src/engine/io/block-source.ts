// The contract every layer speaks: a synchronous, random-access byte source.
// Reference: DESIGN.md "Layers". Offsets are plain numbers; anything at or past 2^53 is
// refused (checkOffset) rather than rounded.

import { EngineError, corrupt } from '../errors.js';

export interface BlockSource {
  /** Size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or throws. Reading past `size` is an error. The
   * array is the caller's: no source keeps or reuses it. */
  readAt(offset: number, length: number): Uint8Array;
  /** Optional: fills all of `dst` from `offset` (same rules as readAt), without allocating.
   * Bulk readers call it through `readInto()` below, which falls back to readAt. */
  readInto?(offset: number, dst: Uint8Array): void;
  /** Present only on writable sources (the overlay). */
  writeAt?(offset: number, data: Uint8Array): void;
  /** A short human description, e.g. "disk.qcow2" or "disk.qcow2[1048576+524288]". */
  readonly name?: string;
}

/** Refuse offsets that lost precision or are negative. */
export function checkRange(src: BlockSource, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new EngineError('EINVAL', `bad read range ${offset}+${length}`);
  }
  if (offset + length > src.size) {
    throw new EngineError(
      'io',
      `read ${offset}+${length} past end of ${src.name ?? 'source'} (size ${src.size})`,
      {
        offset,
      },
    );
  }
}

/** Bytes of a source as a sub-range: partitions, LVs, qcow2 external data files. */
export function slice(src: BlockSource, start: number, length: number, name?: string): BlockSource {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0) {
    throw new EngineError('EINVAL', `bad slice ${start}+${length}`);
  }
  if (start + length > src.size) {
    throw corrupt(
      name ?? 'slice',
      start,
      'extends past the end of its parent',
      src.size,
      start + length,
    );
  }
  if (start === 0 && length === src.size && !name) return src;
  const out: BlockSource = {
    size: length,
    name: name ?? `${src.name ?? 'source'}[${start}+${length}]`,
    readAt(offset, len) {
      checkRange(out, offset, len);
      return src.readAt(start + offset, len);
    },
  };
  if (src.readInto) {
    const r = src.readInto.bind(src);
    out.readInto = (offset, dst) => {
      checkRange(out, offset, dst.length);
      r(start + offset, dst);
    };
  }
  if (src.writeAt) {
    const w = src.writeAt.bind(src);
    out.writeAt = (offset, data) => {
      checkRange(out, offset, data.length);
      w(start + offset, data);
    };
  }
  return out;
}

/** A source over bytes in memory (tests, small files, decrypted headers). */
export class MemorySource implements BlockSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'memory',
  ) {
    this.size = bytes.length;
  }
  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.slice(offset, offset + length);
  }
  readInto(offset: number, dst: Uint8Array): void {
    checkRange(this, offset, dst.length);
    dst.set(this.bytes.subarray(offset, offset + dst.length));
  }
}

/** Fills `dst` from `offset` of `src`: straight into it where the source can, else by a
 * copy of what readAt returns. */
export function readInto(src: BlockSource, offset: number, dst: Uint8Array): void {
  if (src.readInto) src.readInto(offset, dst);
  else dst.set(src.readAt(offset, dst.length));
}

/** Read up to `length` bytes, shorter at the end of the source (for probing heads). */
export function readHead(src: BlockSource, offset: number, length: number): Uint8Array {
  if (offset >= src.size) return new Uint8Array(0);
  return src.readAt(offset, Math.min(length, src.size - offset));
}
