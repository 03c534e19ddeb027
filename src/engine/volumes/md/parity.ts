// md RAID-4/5/6 (and LVM's dm-raid raid4/5/6 types, which are the same md code): where each
// chunk of the array lives (data disk, P disk, Q disk of its stripe row) for every layout
// ("algorithm") md defines, and reading a chunk whose disk is missing back from the others:
// XOR with P, or with Q in GF(2^8) when P or a second disk is gone as well.
// Reference: Linux drivers/md/raid5.c (raid5_compute_sector, raid6_d0, raid6_idx_to_slot,
// set_syndrome_sources), drivers/md/raid5.h (ALGORITHM_*); H. P. Anvin, "The mathematics of
// RAID-6" §3-§4 (recovery of one data disk with Q, of two data disks).

import { EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { gfInv, gfMulXor, gfPow2, gfScale, xorInto } from './gf256.js';

export const ALGORITHM = {
  LEFT_ASYMMETRIC: 0,
  RIGHT_ASYMMETRIC: 1,
  LEFT_SYMMETRIC: 2,
  RIGHT_SYMMETRIC: 3,
  PARITY_0: 4,
  PARITY_N: 5,
  ROTATING_ZERO_RESTART: 8,
  ROTATING_N_RESTART: 9,
  ROTATING_N_CONTINUE: 10,
  LEFT_ASYMMETRIC_6: 16,
  RIGHT_ASYMMETRIC_6: 17,
  LEFT_SYMMETRIC_6: 18,
  RIGHT_SYMMETRIC_6: 19,
  PARITY_0_6: 20,
} as const;

export interface ParityGeometry {
  level: 4 | 5 | 6;
  algorithm: number;
  /** raid_disks, parity included. */
  disks: number;
  chunkBytes: number;
}

/** One stripe row: the disk of each data chunk (by logical index), P and Q (-1 if none). */
export interface RowPlace {
  data: number[];
  pd: number;
  qd: number;
  /** DDF layouts order the Q syndrome by disk number, md layouts from the disk after Q. */
  ddf: boolean;
}

export function dataDisks(g: ParityGeometry): number {
  return g.disks - (g.level === 6 ? 2 : 1);
}

/** The algorithms this module knows, per level (others are refused when assembling). */
export function algorithmSupported(level: number, algorithm: number): boolean {
  if (level === 4) return true;
  if (level === 5) return algorithm >= 0 && algorithm <= 5;
  if (level === 6)
    return (
      (algorithm >= 0 && algorithm <= 5) ||
      (algorithm >= 8 && algorithm <= 10) ||
      (algorithm >= 16 && algorithm <= 20)
    );
  return false;
}

/** raid5_compute_sector for every data index of stripe row `stripe`. */
export function placeRow(g: ParityGeometry, stripe: number): RowPlace {
  const n = g.disks;
  const dd = dataDisks(g);
  const out: RowPlace = { data: [], pd: -1, qd: -1, ddf: false };
  for (let k = 0; k < dd; k++) {
    const p =
      g.level === 6
        ? place6(g.algorithm, n, dd, stripe, k)
        : place5(g.level, g.algorithm, n, dd, stripe, k);
    out.data.push(p.d);
    out.pd = p.pd;
    out.qd = p.qd;
    out.ddf = p.ddf;
  }
  return out;
}

interface Placed {
  d: number;
  pd: number;
  qd: number;
  ddf: boolean;
}

function place5(
  level: number,
  alg: number,
  n: number,
  dd: number,
  stripe: number,
  k: number,
): Placed {
  let pd: number;
  let d = k;
  if (level === 4) return { d, pd: dd, qd: -1, ddf: false };
  switch (alg) {
    case ALGORITHM.LEFT_ASYMMETRIC:
      pd = dd - (stripe % n);
      if (d >= pd) d++;
      break;
    case ALGORITHM.RIGHT_ASYMMETRIC:
      pd = stripe % n;
      if (d >= pd) d++;
      break;
    case ALGORITHM.LEFT_SYMMETRIC:
      pd = dd - (stripe % n);
      d = (pd + 1 + d) % n;
      break;
    case ALGORITHM.RIGHT_SYMMETRIC:
      pd = stripe % n;
      d = (pd + 1 + d) % n;
      break;
    case ALGORITHM.PARITY_0:
      pd = 0;
      d++;
      break;
    default: // PARITY_N
      pd = dd;
  }
  return { d, pd, qd: -1, ddf: false };
}

function place6(alg: number, n: number, dd: number, stripe: number, k: number): Placed {
  let pd: number;
  let qd: number;
  let d = k;
  let ddf = false;
  // "Asymmetric" rows put P and Q together and skip them; when P is the last disk, Q wraps
  // to disk 0 (Q D D D P).
  const asym = (p: number): void => {
    pd = p;
    qd = pd + 1;
    if (pd === n - 1) {
      d++;
      qd = 0;
    } else if (d >= pd) d += 2;
  };
  switch (alg) {
    case ALGORITHM.LEFT_ASYMMETRIC:
      asym(n - 1 - (stripe % n));
      break;
    case ALGORITHM.RIGHT_ASYMMETRIC:
      asym(stripe % n);
      break;
    case ALGORITHM.LEFT_SYMMETRIC:
      pd = n - 1 - (stripe % n);
      qd = (pd + 1) % n;
      d = (pd + 2 + d) % n;
      break;
    case ALGORITHM.RIGHT_SYMMETRIC:
      pd = stripe % n;
      qd = (pd + 1) % n;
      d = (pd + 2 + d) % n;
      break;
    case ALGORITHM.PARITY_0:
      pd = 0;
      qd = 1;
      d += 2;
      break;
    case ALGORITHM.PARITY_N:
      pd = dd;
      qd = dd + 1;
      break;
    case ALGORITHM.ROTATING_ZERO_RESTART:
      asym(stripe % n);
      ddf = true;
      break;
    case ALGORITHM.ROTATING_N_RESTART:
      asym(n - 1 - ((stripe + 1) % n));
      ddf = true;
      break;
    case ALGORITHM.ROTATING_N_CONTINUE:
      pd = n - 1 - (stripe % n);
      qd = (pd + n - 1) % n;
      d = (pd + 1 + d) % n;
      ddf = true;
      break;
    default:
      return place6Q(alg, n, dd, stripe, k);
  }
  return { d, pd: pd!, qd: qd!, ddf };
}

/** The *_6 layouts: a RAID-5 layout over the first n-1 disks, Q on the last. */
function place6Q(alg: number, n: number, dd: number, stripe: number, k: number): Placed {
  let pd: number;
  let d = k;
  const m = n - 1;
  switch (alg) {
    case ALGORITHM.LEFT_ASYMMETRIC_6:
      pd = dd - (stripe % m);
      if (d >= pd) d++;
      break;
    case ALGORITHM.RIGHT_ASYMMETRIC_6:
      pd = stripe % m;
      if (d >= pd) d++;
      break;
    case ALGORITHM.LEFT_SYMMETRIC_6:
      pd = dd - (stripe % m);
      d = (pd + 1 + d) % m;
      break;
    case ALGORITHM.RIGHT_SYMMETRIC_6:
      pd = stripe % m;
      d = (pd + 1 + d) % m;
      break;
    default: // PARITY_0_6
      pd = 0;
      d++;
  }
  return { d, pd, qd: n - 1, ddf: false };
}

/** Each data disk's position in the Q syndrome sum (Q = Σ g^slot · D). */
export function syndromeSlots(row: RowPlace, disks: number): Map<number, number> {
  const slots = new Map<number, number>();
  const d0 = row.ddf || row.qd === disks - 1 ? 0 : row.qd + 1;
  let count = 0;
  for (let j = 0; j < disks; j++) {
    const i = (d0 + j) % disks;
    const slot = count;
    if (row.ddf) count++;
    if (i === row.pd || i === row.qd) continue;
    if (!row.ddf) count++;
    slots.set(i, slot);
  }
  return slots;
}

/**
 * Reads array bytes from members sliced to their data areas; a missing member is
 * `undefined` and its chunks are rebuilt from parity.
 */
export class ParityReader {
  private readonly dd: number;

  constructor(
    private readonly g: ParityGeometry,
    private readonly members: (BlockSource | undefined)[],
    private readonly name: string,
  ) {
    this.dd = dataDisks(g);
    const missing = members.filter((m) => !m).length;
    const tolerated = g.level === 6 ? 2 : 1;
    if (missing > tolerated) {
      throw new EngineError(
        'io',
        `${name}: ${missing} of ${g.disks} members missing, parity covers ${tolerated}`,
      );
    }
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const cb = this.g.chunkBytes;
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const chunk = Math.floor(pos / cb);
      const inChunk = pos % cb;
      const n = Math.min(length - done, cb - inChunk);
      const stripe = Math.floor(chunk / this.dd);
      const row = placeRow(this.g, stripe);
      const disk = row.data[chunk % this.dd]!;
      const at = stripe * cb + inChunk;
      const m = this.members[disk];
      out.set(m ? m.readAt(at, n) : this.rebuild(row, disk, at, n), done);
      done += n;
    }
    return out;
  }

  /** The bytes data disk `target` holds at `at`, from the rest of its row. */
  private rebuild(row: RowPlace, target: number, at: number, n: number): Uint8Array {
    const get = (d: number): Uint8Array | undefined => this.members[d]?.readAt(at, n);
    const missingData = row.data.filter((d) => !this.members[d]);
    const p = row.pd >= 0 ? get(row.pd) : undefined;
    if (p && missingData.length === 1) {
      for (const d of row.data) if (d !== target) xorInto(p, get(d)!);
      return p;
    }
    const q = row.qd >= 0 ? get(row.qd) : undefined;
    if (!q || missingData.length > 2) {
      throw new EngineError(
        'io',
        `${this.name}: stripe ${at / this.g.chunkBytes} cannot be rebuilt (too many members missing)`,
      );
    }
    const slots = syndromeSlots(row, this.g.disks);
    // Q' = Q minus the known data's contribution; P' likewise for P.
    for (const d of row.data) if (this.members[d]) gfMulXor(q, get(d)!, gfPow2(slots.get(d)!));
    const a = slots.get(target)!;
    if (missingData.length === 1) {
      gfScale(q, gfPow2(-a));
      return q;
    }
    const other = missingData.find((d) => d !== target)!;
    const b = slots.get(other)!;
    if (!p)
      throw new EngineError('io', `${this.name}: two data chunks and P missing in one stripe`);
    for (const d of row.data) if (this.members[d]) xorInto(p, get(d)!);
    // Q' = g^a·Dt + g^b·Du and P' = Dt + Du, so Dt = (Q' + g^b·P') / (g^a + g^b).
    gfMulXor(q, p, gfPow2(b));
    gfScale(q, gfInv(gfPow2(a) ^ gfPow2(b)));
    return q;
  }
}
