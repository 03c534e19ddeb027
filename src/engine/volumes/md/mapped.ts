// The common shape of md's (and dm's) address mappings: an array byte range splits into
// runs that each lie on one member (or on several, for the copies of a mirror), so a read
// takes a run from the first copy present and a write goes to every copy present. Parity
// levels are not "mapped": their writes would have to update P and Q, which we do not do.
// Reference: Linux drivers/md/md.h (the personality's make_request splitting a bio).

import { EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';

/** One run of an array range: `length` bytes at `at` on each member in `copies`. */
export interface Run {
  copies: { src: BlockSource | undefined; at: number }[];
  length: number;
}

export interface Mapping {
  readonly size: number;
  /** The run starting at array byte `pos`, at most `max` bytes long. */
  run(pos: number, max: number): Run;
}

export interface ArrayIo {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  /** Present when every byte has a writable home (mapped levels over writable members). */
  write?(offset: number, data: Uint8Array): void;
}

/** Reads and writes over a mapping; `name` is used in errors. */
export function mappedIo(m: Mapping, name: string, writable: boolean): ArrayIo {
  const io: ArrayIo = {
    size: m.size,
    read(offset, length) {
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const r = m.run(offset + done, length - done);
        const c = r.copies.find((x) => x.src);
        if (!c)
          throw new EngineError(
            'io',
            `${name}: array byte ${offset + done} is only on missing members`,
          );
        out.set(c.src!.readAt(c.at, r.length), done);
        done += r.length;
      }
      return out;
    },
  };
  if (writable) {
    io.write = (offset, data) => {
      for (let done = 0; done < data.length;) {
        const r = m.run(offset + done, data.length - done);
        const piece = data.subarray(done, done + r.length);
        for (const c of r.copies) c.src?.writeAt!(c.at, piece);
        done += r.length;
      }
    };
  }
  return io;
}

/** True when every present member can be written. */
export function allWritable(members: (BlockSource | undefined)[]): boolean {
  return members.every((m) => !m || typeof m.writeAt === 'function');
}
