// md RAID-10: every chunk is stored `near × far` times. "near" copies sit side by side on
// consecutive members; "far" copies repeat the whole striping a stride further down each
// member (stride = the member size divided by the far count), shifted by `near` members;
// "offset" is far with a stride of one chunk. The layout word packs near (bits 0-7), far
// (8-15), offset (bit 16) and the far-set rule (bits 17+).
// Reference: Linux drivers/md/raid10.c (setup_geo, calc_sectors, raid10_size,
// __raid10_find_phys).

import { unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import type { Mapping, Run } from './mapped.js';

export interface Raid10Geometry {
  near: number;
  far: number;
  offset: boolean;
  farSetSize: number;
  disks: number;
  chunkBytes: number;
  /** Stride between far copies on a member, bytes. */
  stride: number;
  /** Array size, bytes. */
  size: number;
}

/** Decode the layout word for `disks` members of `devBytes` usable bytes each. */
export function raid10Geometry(
  layout: number,
  disks: number,
  chunkBytes: number,
  devBytes: number,
): Raid10Geometry {
  const near = layout & 0xff;
  const far = (layout >> 8) & 0xff;
  const offset = (layout & 0x10000) !== 0;
  const sets = layout >> 17;
  if (near < 1 || far < 1 || near * far > disks || sets > 2 || chunkBytes <= 0) {
    throw unsupported(`md raid10 layout 0x${layout.toString(16)}`, `${disks} members`);
  }
  const farSetSize = sets === 0 ? disks : sets === 1 ? Math.floor(disks / far) : far * near;
  // calc_sectors: chunks in the array, then chunks used per member (rounded up).
  const devChunks = Math.floor(devBytes / chunkBytes);
  const arrayChunks = Math.floor((Math.floor(devChunks / far) * disks) / near);
  const usedPerDev = Math.ceil((arrayChunks * near * far) / disks);
  const stride = offset ? chunkBytes : Math.floor(usedPerDev / far) * chunkBytes;
  // raid10_size() of the rounded-up member usage is what the kernel exports.
  const size = Math.floor((Math.floor(usedPerDev / far) * disks) / near) * chunkBytes;
  return { near, far, offset, farSetSize, disks, chunkBytes, stride, size };
}

/** Every (member, byte offset) holding array byte `pos`, first copy first. */
export function raid10Copies(g: Raid10Geometry, pos: number): { dev: number; at: number }[] {
  const cb = g.chunkBytes;
  const inChunk = pos % cb;
  const chunk = Math.floor(pos / cb) * g.near;
  let dev = chunk % g.disks;
  let stripe = Math.floor(chunk / g.disks);
  if (g.offset) stripe *= g.far;
  let sector = stripe * cb + inChunk;
  const lastSetStart = (Math.floor(g.disks / g.farSetSize) - 1) * g.farSetSize;
  const lastSetSize = g.farSetSize + (g.disks % g.farSetSize);
  const out: { dev: number; at: number }[] = [];
  for (let n = 0; n < g.near; n++) {
    let d = dev;
    let s = sector;
    out.push({ dev: d, at: s });
    for (let f = 1; f < g.far; f++) {
      const set = Math.floor(d / g.farSetSize);
      d += g.near;
      if (g.disks % g.farSetSize && d > lastSetStart) {
        d = ((d - lastSetStart) % lastSetSize) + lastSetStart;
      } else {
        d = (d % g.farSetSize) + g.farSetSize * set;
      }
      s += g.stride;
      out.push({ dev: d, at: s });
    }
    dev++;
    if (dev >= g.disks) {
      dev = 0;
      sector += cb;
    }
  }
  return out;
}

export class Raid10Mapping implements Mapping {
  readonly size: number;

  constructor(
    private readonly g: Raid10Geometry,
    private readonly members: (BlockSource | undefined)[],
  ) {
    this.size = g.size;
  }

  run(pos: number, max: number): Run {
    const length = Math.min(max, this.g.chunkBytes - (pos % this.g.chunkBytes));
    const copies = raid10Copies(this.g, pos).map((c) => ({ src: this.members[c.dev], at: c.at }));
    return { copies, length };
  }
}
