// Argon2i and Argon2id (version 0x13), synchronous, with progress reports.
// Reference: RFC 9106 sections 3.2 (H0 and the first blocks), 3.3 (H', the variable-length
// hash), 3.4 (indexing: J1/J2, the reference area, data-independent address blocks) and
// 3.5/3.6 (G, see argon2-wasm.ts).
//
// The memory is a WebAssembly memory and G runs in WASM (argon2-wasm.ts); this file walks
// passes, slices, lanes and blocks, picks each reference block and calls G once per block.
// Where WebAssembly is missing, @noble/hashes' Argon2 (same results, ~4.5x slower) is used.

import { argon2i as nobleArgon2i, argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { unsupported } from '../errors.js';
import { SCRATCH_BYTES, createArgon2Core, wasmAvailable } from './argon2-wasm.js';
import type { ProgressFn } from './pbkdf2.js';

export type Argon2Type = 'argon2i' | 'argon2id';

export interface Argon2Params {
  type: Argon2Type;
  /** Passes over memory (t). */
  time: number;
  /** Memory cost in KiB (m). */
  memoryKiB: number;
  /** Lanes (p). */
  parallelism: number;
  /** Tag length in bytes (T). */
  outLen: number;
}

const VERSION = 0x13;
const TYPE_CODE: Record<Argon2Type, number> = { argon2i: 1, argon2id: 2 };
const BLOCK = 1024;
const SYNC_POINTS = 4;
const PAGE = 65536;
/** WASM32 addresses 4 GiB; the block area plus scratch must fit. */
const WASM_MAX_BYTES = 2 ** 32;

// Scratch layout after G's own 2 KiB: a zero block, the address generator's input block
// and the current address block. Argon2 memory starts at BLOCKS.
const ZERO = SCRATCH_BYTES;
const INPUT = ZERO + BLOCK;
const ADDRESS = INPUT + BLOCK;
const BLOCKS = ADDRESS + BLOCK;

const le32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** H'^T(X) (RFC 9106, 3.3). */
function hPrime(outLen: number, x: Uint8Array): Uint8Array {
  const input = concat(le32(outLen), x);
  if (outLen <= 64) return blake2b(input, { dkLen: outLen });
  const r = Math.ceil(outLen / 32) - 2;
  const out = new Uint8Array(outLen);
  let v = blake2b(input);
  out.set(v.subarray(0, 32));
  for (let i = 1; i < r; i++) {
    v = blake2b(v);
    out.set(v.subarray(0, 32), 32 * i);
  }
  out.set(blake2b(v, { dkLen: outLen - 32 * r }), 32 * r);
  return out;
}

/** floor(a * b / 2^32) for 32-bit a and b, exactly (the product needs 64 bits). */
function mulHi(a: number, b: number): number {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const mid = ah * bl + al * bh;
  return ah * bh + Math.floor((mid * 65536 + al * bl) / 4294967296);
}

/** Argon2 with the parameters as LUKS2 stores them; the caller bounds them first. */
export function argon2(
  params: Argon2Params,
  password: Uint8Array,
  salt: Uint8Array,
  onProgress?: ProgressFn,
): Uint8Array {
  if (!wasmAvailable()) return nobleFallback(params, password, salt, onProgress);
  return new Argon2Run(params, password, salt, onProgress).run();
}

function nobleFallback(
  p: Argon2Params,
  password: Uint8Array,
  salt: Uint8Array,
  onProgress?: ProgressFn,
): Uint8Array {
  const fn = p.type === 'argon2i' ? nobleArgon2i : nobleArgon2id;
  const opts = { t: p.time, m: p.memoryKiB, p: p.parallelism, dkLen: p.outLen };
  return fn(password, salt, {
    ...opts,
    maxmem: 2 ** 32 - 1,
    ...(onProgress ? { onProgress } : {}),
  });
}

class Argon2Run {
  private readonly lanes: number;
  private readonly laneLength: number;
  private readonly segmentLength: number;
  private readonly blockCount: number;
  private readonly core;
  private readonly words: Uint32Array;

  constructor(
    private readonly p: Argon2Params,
    private readonly password: Uint8Array,
    private readonly salt: Uint8Array,
    private readonly onProgress?: ProgressFn,
  ) {
    this.lanes = p.parallelism;
    const perSlice = SYNC_POINTS * this.lanes;
    this.blockCount =
      Math.max(p.memoryKiB, 2 * perSlice) - (Math.max(p.memoryKiB, 2 * perSlice) % perSlice);
    this.laneLength = this.blockCount / this.lanes;
    this.segmentLength = this.laneLength / SYNC_POINTS;
    const bytes = BLOCKS + this.blockCount * BLOCK;
    if (bytes > WASM_MAX_BYTES) {
      throw unsupported(
        `Argon2 memory cost ${p.memoryKiB} KiB`,
        'above what WebAssembly can address',
      );
    }
    this.core = createArgon2Core(Math.ceil(bytes / PAGE));
    this.words = new Uint32Array(this.core.memory.buffer);
  }

  private offset(lane: number, index: number): number {
    return BLOCKS + (lane * this.laneLength + index) * BLOCK;
  }

  run(): Uint8Array {
    this.initialBlocks();
    const total = this.p.time * SYNC_POINTS * this.lanes;
    let done = 0;
    for (let pass = 0; pass < this.p.time; pass++) {
      for (let slice = 0; slice < SYNC_POINTS; slice++) {
        for (let lane = 0; lane < this.lanes; lane++) {
          this.fillSegment(pass, slice, lane);
          this.onProgress?.(++done / total);
        }
      }
    }
    return this.finalize();
  }

  private initialBlocks(): void {
    const p = this.p;
    const h0 = blake2b(
      concat(
        ...[this.lanes, p.outLen, p.memoryKiB, p.time, VERSION, TYPE_CODE[p.type]].map(le32),
        le32(this.password.length),
        this.password,
        le32(this.salt.length),
        this.salt,
        le32(0), // no secret K
        le32(0), // no associated data X
      ),
    );
    const mem = new Uint8Array(this.core.memory.buffer);
    for (let lane = 0; lane < this.lanes; lane++) {
      for (const i of [0, 1]) {
        mem.set(hPrime(BLOCK, concat(h0, le32(i), le32(lane))), this.offset(lane, i));
      }
    }
  }

  private fillSegment(pass: number, slice: number, lane: number): void {
    const independent = this.p.type === 'argon2i' || (pass === 0 && slice < SYNC_POINTS / 2);
    const w = this.words;
    if (independent) {
      w.fill(0, INPUT / 4, ADDRESS / 4);
      const values = [pass, lane, slice, this.blockCount, this.p.time, TYPE_CODE[this.p.type]];
      values.forEach((v, i) => (w[INPUT / 4 + 2 * i] = v));
    }
    const start = pass === 0 && slice === 0 ? 2 : 0;
    if (independent && start === 2) this.nextAddresses();
    for (let i = start; i < this.segmentLength; i++) {
      const index = slice * this.segmentLength + i;
      const prev = this.offset(lane, index === 0 ? this.laneLength - 1 : index - 1);
      let j1: number;
      let j2: number;
      if (independent) {
        // With start 2 the first address block was made above; i never hits 0 then.
        if (i % 128 === 0) this.nextAddresses();
        j1 = w[ADDRESS / 4 + 2 * (i % 128)]!;
        j2 = w[ADDRESS / 4 + 2 * (i % 128) + 1]!;
      } else {
        j1 = w[prev / 4]!;
        j2 = w[prev / 4 + 1]!;
      }
      const refLane = pass === 0 && slice === 0 ? lane : j2 % this.lanes;
      const refIndex = this.referenceIndex(pass, slice, i, j1, refLane === lane);
      this.core.fill(
        this.offset(lane, index),
        prev,
        this.offset(refLane, refIndex),
        pass > 0 ? 1 : 0,
      );
    }
  }

  /** Next block of pseudo-random J1/J2 pairs: G(0, G(0, input)) with the counter bumped. */
  private nextAddresses(): void {
    this.words[INPUT / 4 + 12]!++;
    this.core.fill(ADDRESS, ZERO, INPUT, 0);
    this.core.fill(ADDRESS, ZERO, ADDRESS, 0);
  }

  /** RFC 9106, 3.4.1.2: map J1 into the area this block may reference. */
  private referenceIndex(
    pass: number,
    slice: number,
    i: number,
    j1: number,
    sameLane: boolean,
  ): number {
    const seg = this.segmentLength;
    let area: number;
    if (pass === 0) {
      area = slice * seg + (sameLane ? i - 1 : i === 0 ? -1 : 0);
    } else {
      area = this.laneLength - seg + (sameLane ? i - 1 : i === 0 ? -1 : 0);
    }
    const x = mulHi(j1, j1);
    const relative = area - 1 - mulHi(area, x);
    const startPos = pass === 0 || slice === SYNC_POINTS - 1 ? 0 : (slice + 1) * seg;
    return (startPos + relative) % this.laneLength;
  }

  private finalize(): Uint8Array {
    const mem = new Uint8Array(this.core.memory.buffer);
    const c = mem.slice(
      this.offset(0, this.laneLength - 1),
      this.offset(0, this.laneLength - 1) + BLOCK,
    );
    for (let lane = 1; lane < this.lanes; lane++) {
      const off = this.offset(lane, this.laneLength - 1);
      for (let k = 0; k < BLOCK; k++) c[k]! ^= mem[off + k]!;
    }
    return hPrime(this.p.outLen, c);
  }
}
