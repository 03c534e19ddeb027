// BlockSources for logical volumes: segments laid end to end, each built on first use (so a
// damaged or unsupported part of one LV fails only when it is read), and a source that
// builds its real source on first read. Writes go through when every segment can take
// them; a segment that cannot (parity RAID, thin, snapshots) refuses as `unsupported`.
// Reference: Linux Documentation/admin-guide/device-mapper/linear.rst (one table line per
// segment, concatenated).

import { unsupported } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';

/** One segment's I/O, segment-relative offsets. */
export interface SegmentIo {
  read(offset: number, length: number): Uint8Array;
  write?(offset: number, data: Uint8Array): void;
}

export interface Piece {
  start: number;
  size: number;
  /** Builds the segment's I/O (may throw: the error then belongs to reads of this piece). */
  open(): SegmentIo;
  /** For errors: the segment type. */
  type: string;
}

/** An LV: its pieces end to end. Writable (for the pieces that allow it) if `writable`. */
export function concatSource(
  name: string,
  size: number,
  pieces: Piece[],
  writable: boolean,
): BlockSource {
  const opened = new Map<Piece, SegmentIo>();
  const io = (p: Piece): SegmentIo => {
    let s = opened.get(p);
    if (!s) {
      s = p.open();
      opened.set(p, s);
    }
    return s;
  };
  const src: BlockSource = {
    size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      const out = new Uint8Array(length);
      for (const p of pieces) {
        const from = Math.max(offset, p.start);
        const to = Math.min(offset + length, p.start + p.size);
        if (from < to) out.set(io(p).read(from - p.start, to - from), from - offset);
      }
      return out;
    },
  };
  if (writable) {
    src.writeAt = (offset, data) => {
      checkRange(src, offset, data.length);
      for (const p of pieces) {
        const from = Math.max(offset, p.start);
        const to = Math.min(offset + data.length, p.start + p.size);
        if (from >= to) continue;
        const s = io(p);
        if (!s.write) throw unsupported(`writing to LVM segment type ${p.type}`, name);
        s.write(from - p.start, data.subarray(from - offset, to - offset));
      }
    };
  }
  return src;
}

/** A source that builds its real source on first read or write. */
export function lazySource(
  size: number,
  name: string,
  open: () => BlockSource,
  writable: boolean,
): BlockSource {
  let inner: BlockSource | undefined;
  const src: BlockSource = {
    size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      inner ??= open();
      return inner.readAt(offset, length);
    },
  };
  if (writable) {
    src.writeAt = (offset, data) => {
      checkRange(src, offset, data.length);
      inner ??= open();
      if (!inner.writeAt) throw unsupported('writing to this logical volume', name);
      inner.writeAt(offset, data);
    };
  }
  return src;
}
