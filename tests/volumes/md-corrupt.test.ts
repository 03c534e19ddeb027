// Damaged MD superblocks, one field at a time, on the appliance-made arrays
// (fixtures/build-md.sh): the error kind and structure are asserted, and the array is
// assembled from what remains where md would do so. Then a bounded mutation fuzz over the
// superblock fields (checksums fixed up so the mutations reach the field checks): every
// failure must be an EngineError.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { scanMd } from '../../src/engine/volumes/md/array.js';
import { readMdSuperblock } from '../../src/engine/volumes/md/superblock.js';
import { SB090_STRUCTURE } from '../../src/engine/volumes/md/superblock-090.js';
import { SB1_STRUCTURE } from '../../src/engine/volumes/md/superblock-1.js';
import type { MemberDevice } from '../../src/engine/volumes/types.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';

let dir: string;
let specs: Record<string, { members: string[]; size: number }>;
let pattern: Buffer;

beforeAll(() => {
  dir = ensureFixture('md');
  specs = JSON.parse(fs.readFileSync(path.join(dir, 'expected/arrays.json'), 'utf8'));
  pattern = fs.readFileSync(path.join(dir, 'pattern.bin'));
});

const image = (rel: string) => new Uint8Array(fs.readFileSync(path.join(dir, rel)));

/** The array's members as memory copies, member `i` passed through `patch` first. */
function members(name: string, i: number, patch: (b: Uint8Array) => void): MemberDevice[] {
  return specs[name]!.members.map((m, k) => {
    const b = image(m);
    if (k === i) patch(b);
    return { name: `/dev/${path.basename(m, '.img')}`, source: new MemorySource(b) };
  });
}

/** 1.2 superblock at 4 KiB: recompute sb_csum the way md.c's calc_sb_1_csum does. */
function fixSum1(b: Uint8Array, at = 4096): void {
  const dv = new DataView(b.buffer, b.byteOffset);
  // A mutated max_dev can be huge; the parser refuses anything past 384 before summing.
  const size = 256 + 2 * Math.min(dv.getUint32(at + 0xdc, true), 384);
  dv.setUint32(at + 0xd8, 0, true);
  let sum = 0;
  for (let i = 0; i + 4 <= size; i += 4) sum += dv.getUint32(at + i, true);
  const high = Math.floor(sum / 2 ** 32);
  dv.setUint32(at + 0xd8, (sum - high * 2 ** 32 + high) >>> 0, true);
}

function sb090At(b: Uint8Array): number {
  return Math.floor(b.length / 65536) * 65536 - 65536;
}

function thrown(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('md 1.x superblock', () => {
  it('a bad sb_csum is corrupt; the raid1 runs degraded from the other member', () => {
    const ms = members('r1v12', 0, (b) => (b[4096 + 0x40]! ^= 1));
    const e = thrown(() => readMdSuperblock(ms[0]!.source));
    expect([e.kind, e.structure, e.offset]).toEqual(['corrupt', SB1_STRUCTURE, 4096 + 0xd8]);
    const scan = scanMd(ms);
    expect(scan.problems.map((p) => [p.device, p.error.kind, p.error.structure])).toEqual([
      ['/dev/r1v12-0', 'corrupt', SB1_STRUCTURE],
    ]);
    const a = scan.arrays[0]!;
    expect(a.state).toBe('degraded');
    expect(sha256(a.device!.source.readAt(0, a.size))).toBe(
      sha256(pattern.subarray(0, specs.r1v12!.size)),
    );
  });

  it('no magic: not a member at all (no problem), the array is degraded', () => {
    const ms = members('r5ls', 2, (b) => (b[4096]! ^= 0xff));
    expect(readMdSuperblock(ms[2]!.source)).toBeUndefined();
    const scan = scanMd(ms);
    expect(scan.problems).toEqual([]);
    expect(scan.arrays[0]!.state).toBe('degraded');
  });

  it('major_version other than 1 (checksum fixed) is corrupt', () => {
    const ms = members('r1v12', 1, (b) => {
      b[4096 + 4] = 2;
      fixSum1(b);
    });
    const e = thrown(() => readMdSuperblock(ms[1]!.source));
    expect([e.kind, e.structure]).toEqual(['corrupt', SB1_STRUCTURE]);
  });

  it('a data area past the end of the member is corrupt, and there is no device', () => {
    const ms = members('r0', 0, (b) => {
      new DataView(b.buffer).setBigUint64(4096 + 0x88, 1n << 30n, true); // data_size
      fixSum1(b);
    });
    const a = scanMd(ms).arrays[0]!;
    expect(a.device).toBeUndefined();
    expect([a.error!.kind, a.error!.structure]).toEqual(['corrupt', SB1_STRUCTURE]);
  });

  it('a member with older events is stale: left out, the array degraded', () => {
    const ms = members('r5ls', 1, (b) => {
      new DataView(b.buffer).setBigUint64(4096 + 0xc8, 0n, true);
      fixSum1(b);
    });
    const scan = scanMd(ms);
    expect(scan.problems.map((p) => [p.device, p.error.kind])).toEqual([['/dev/r5ls-1', 'io']]);
    expect(scan.arrays[0]!.state).toBe('degraded');
    expect(sha256(scan.arrays[0]!.device!.source.readAt(0, specs.r5ls!.size))).toBe(
      sha256(pattern.subarray(0, specs.r5ls!.size)),
    );
  });

  it('a multi-zone raid0 whose superblocks do not record the zone layout is unsupported', () => {
    const strip = (b: Uint8Array) => {
      const dv = new DataView(b.buffer);
      dv.setUint32(4096 + 8, dv.getUint32(4096 + 8, true) & ~4096, true); // MD_FEATURE_RAID0_LAYOUT
      fixSum1(b);
    };
    const ms = specs.r0!.members.map((m, k) => {
      const b = image(m);
      strip(b);
      return { name: `/dev/r0-${k}`, source: new MemorySource(b) };
    });
    const a = scanMd(ms).arrays[0]!;
    expect([a.error!.kind, a.error!.feature]).toEqual([
      'unsupported',
      'md raid0 multi-zone layout unset',
    ]);
  });
});

describe('md 0.90 superblock', () => {
  it('a bad sb_csum is corrupt', () => {
    const ms = members('r1v090', 0, (b) => (b[sb090At(b) + 24]! ^= 1));
    const e = thrown(() => readMdSuperblock(ms[0]!.source));
    expect([e.kind, e.structure]).toEqual(['corrupt', SB090_STRUCTURE]);
  });
});

describe('superblock fuzzing (fields mutated, checksum fixed up)', () => {
  it('300 mutated 1.2 superblocks: assemble and read fail only with EngineErrors', () => {
    let x = 0x5eed;
    const r = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    for (let i = 0; i < 300; i++) {
      const ms = members('r6zr', r(5), (b) => {
        for (let k = 1 + r(4); k > 0; k--) b[4096 + r(0x100 + 2 * 5)] = r(256);
        fixSum1(b);
      });
      try {
        const scan = scanMd(ms);
        for (const a of scan.arrays)
          if (a.device) a.device.source.readAt(0, Math.min(a.size, 1 << 18));
      } catch (e) {
        if (!(e instanceof EngineError)) throw new Error(`case ${i}: ${String(e)}`, { cause: e });
      }
    }
  });
});
