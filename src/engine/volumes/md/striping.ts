// md RAID-0 and linear: no redundancy, every member needed. RAID-0 stripes chunks across
// the members; members of different sizes make "zones" (zone 0 stripes over all members up
// to the smallest size, zone 1 over the members that are larger, and so on). Which member
// a chunk of a later zone goes to depends on the layout: the original md code counted
// chunks from the start of the array, kernels 3.14-5.3 from the start of the zone; arrays
// made since record which (RAID0_ORIG_LAYOUT 1, RAID0_ALT_MULTIZONE_LAYOUT 2), and the
// kernel refuses a multi-zone array that does not. Linear concatenates the members.
// Reference: Linux drivers/md/raid0.c (create_strip_zones, find_zone, map_sector,
// raid0_make_request), drivers/md/md-linear.c (linear_conf).

import { EngineError, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import type { Mapping, Run } from './mapped.js';

export const RAID0_ORIG_LAYOUT = 1;
export const RAID0_ALT_MULTIZONE_LAYOUT = 2;

export interface Zone {
  /** Array byte where the zone ends (exclusive). */
  end: number;
  /** Byte on each member where the zone starts. */
  devStart: number;
  /** Indexes of the members in this zone, in role order. */
  members: number[];
}

/** Zones of a RAID-0 over members with usable sizes `sizes` (bytes, chunk multiples). */
export function raid0Zones(sizes: number[]): Zone[] {
  const zones: Zone[] = [];
  let start = 0;
  let end = 0;
  for (;;) {
    const members = sizes.flatMap((s, i) => (s > start ? [i] : []));
    if (members.length === 0) return zones;
    const smallest = Math.min(...members.map((i) => sizes[i]!));
    end += (smallest - start) * members.length;
    zones.push({ end, devStart: start, members });
    start = smallest;
  }
}

export class Raid0Mapping implements Mapping {
  private readonly zones: Zone[];
  readonly size: number;

  constructor(
    private readonly members: BlockSource[],
    sizes: number[],
    private readonly chunkBytes: number,
    private readonly layout: number,
    name: string,
  ) {
    this.zones = raid0Zones(sizes.map((s) => Math.floor(s / chunkBytes) * chunkBytes));
    this.size = this.zones.at(-1)?.end ?? 0;
    if (
      this.zones.length > 1 &&
      layout !== RAID0_ORIG_LAYOUT &&
      layout !== RAID0_ALT_MULTIZONE_LAYOUT
    ) {
      throw unsupported(
        'md raid0 multi-zone layout unset',
        `${name}: members differ in size and the superblock does not say which zone layout was used`,
      );
    }
  }

  run(pos: number, max: number): Run {
    const cb = this.chunkBytes;
    const zi = this.zones.findIndex((z) => pos < z.end);
    if (zi < 0) throw new EngineError('io', `raid0: array byte ${pos} past the last zone`);
    const zone = this.zones[zi]!;
    const inZone = pos - (zi > 0 ? this.zones[zi - 1]!.end : 0);
    // The member is picked by chunk number counted from the array start (original
    // layout) or from the zone start (alternate layout); the row always from the zone.
    const counted = this.layout === RAID0_ALT_MULTIZONE_LAYOUT ? inZone : pos;
    const nb = zone.members.length;
    const src = this.members[zone.members[Math.floor(counted / cb) % nb]!]!;
    const row = Math.floor(inZone / (nb * cb));
    const length = Math.min(max, cb - (pos % cb));
    return { copies: [{ src, at: zone.devStart + row * cb + (counted % cb) }], length };
  }
}

export class LinearMapping implements Mapping {
  private readonly starts: number[] = [];
  readonly size: number;

  constructor(
    private readonly members: BlockSource[],
    private readonly sizes: number[],
  ) {
    let at = 0;
    for (const s of sizes) {
      this.starts.push(at);
      at += s;
    }
    this.size = at;
  }

  run(pos: number, max: number): Run {
    let i = this.starts.length - 1;
    while (i > 0 && this.starts[i]! > pos) i--;
    const inMember = pos - this.starts[i]!;
    const length = Math.min(max, this.sizes[i]! - inMember);
    if (length <= 0)
      throw new EngineError('io', `linear array: offset ${pos} past the last member`);
    return { copies: [{ src: this.members[i]!, at: inMember }], length };
  }
}
