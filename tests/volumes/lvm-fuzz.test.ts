// Bounded mutation fuzzing of the LVM2 metadata parser and of the whole scan: every
// mutated input must parse or fail with an EngineError (never a TypeError, a RangeError, a
// stack overflow or a hang). Seeded, so a failure reproduces; FUZZ_CASES raises the count
// for a longer run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { MAX_CONFIG_DEPTH, parseConfigText } from '../../src/engine/volumes/lvm/config-text.js';
import { lvmCrc, readPvLabel } from '../../src/engine/volumes/lvm/label.js';
import {
  TEXT_STRUCTURE,
  readMdaHeader,
  readMetadataText,
} from '../../src/engine/volumes/lvm/mda.js';
import { scanLvm } from '../../src/engine/volumes/lvm/scan.js';
import { readVgMetadata } from '../../src/engine/volumes/lvm/vg-metadata.js';
import { ensureFixture } from '../helpers/fixtures.js';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const origin = { structure: TEXT_STRUCTURE, offsetOf: (p: number) => p };

/** xorshift32: small, seeded, reproducible. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const SYNTAX = Array.from('{}[]=,"#\n\\ -0123456789a', (c) => c.charCodeAt(0));

function mutate(src: Uint8Array, r: (n: number) => number): Uint8Array {
  let b = src.slice();
  for (let k = 1 + r(8); k > 0; k--) {
    const at = r(b.length || 1);
    switch (r(6)) {
      case 0:
        b[at] = r(256);
        break;
      case 1:
        b[at] = SYNTAX[r(SYNTAX.length)]!;
        break;
      case 2: {
        const len = r(64);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + len)]);
        break;
      }
      case 3: {
        const len = r(64);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
        break;
      }
      case 4:
        b = b.slice(0, at);
        break;
      default:
        b[at] = 0;
    }
  }
  return b;
}

function onlyEngineErrors(f: () => void, label: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof EngineError)) throw new Error(`${label}: ${String(e)}`, { cause: e });
    expect(['corrupt', 'unsupported', 'ENOENT', 'io', 'EINVAL']).toContain(e.kind);
  }
}

let disk1: Uint8Array;
let text: Uint8Array;
beforeAll(() => {
  const dir = ensureFixture('lvm');
  disk1 = new Uint8Array(fs.readFileSync(path.join(dir, 'disk1.img')));
  const src = new MemorySource(disk1);
  const area = readPvLabel(src)!.metadataAreas[0]!;
  const mda = readMdaHeader(src, area);
  text = readMetadataText(src, mda, mda.rawLocns[0]!).bytes;
});

describe('metadata text parser fuzzing', () => {
  it('the unmutated text parses to vg0', () => {
    expect(readVgMetadata(parseConfigText(text, origin), origin).name).toBe('vg0');
  });

  it(`${CASES} mutated texts: parse or corrupt, bounded time`, () => {
    const r = rng(0x5eed);
    const t0 = Date.now();
    let ok = 0;
    for (let i = 0; i < CASES; i++) {
      const m = mutate(text, r);
      onlyEngineErrors(() => {
        readVgMetadata(parseConfigText(m, origin), origin);
        ok++;
      }, `case ${i}`);
    }
    // Some mutations hit comments or values and still parse: the fuzzer exercises both paths.
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(CASES);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('sections nested past the limit are corrupt, not a stack overflow', () => {
    const deep = 'a {'.repeat(100_000) + '}'.repeat(100_000);
    const e = (() => {
      try {
        parseConfigText(new TextEncoder().encode(deep), origin);
      } catch (err) {
        return err as EngineError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(EngineError);
    expect([e!.kind, e!.structure]).toEqual(['corrupt', TEXT_STRUCTURE]);
    expect(MAX_CONFIG_DEPTH).toBeLessThan(100);
  });

  it('a huge flat array and numbers past 2^53 are handled', () => {
    const arr = `x = [${'1,'.repeat(200_000)}1]`;
    expect(parseConfigText(new TextEncoder().encode(arr), origin).node('x')!.value).toHaveLength(
      200_001,
    );
    const big = 'x = 9007199254740993';
    expect(() => parseConfigText(new TextEncoder().encode(big), origin)).toThrow(EngineError);
  });
});

/** disk1 with its committed text replaced (raw_locn size/CRC and header CRC fixed up). */
function withText(next: Uint8Array): Uint8Array {
  const b = disk1.slice(0, 32 << 20);
  const src = new MemorySource(b);
  const area = readPvLabel(src)!.metadataAreas[0]!;
  const rl = readMdaHeader(src, area).rawLocns[0]!;
  const at = area.offset + rl.offset;
  b.fill(0, at, at + Math.max(rl.size, next.length));
  b.set(next, at);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(area.offset + 48, BigInt(next.length), true);
  dv.setUint32(area.offset + 56, lvmCrc(next), true);
  dv.setUint32(area.offset, lvmCrc(b.subarray(area.offset + 4, area.offset + 512)), true);
  return b;
}

describe('semantic fuzzing: numbers in valid metadata replaced, checksums fixed up', () => {
  it(`${Math.floor(CASES / 10)} VGs with odd extents, counts and sizes: only EngineErrors`, () => {
    const r = rng(0xbadc0de);
    const src = new TextDecoder('latin1').decode(text);
    const numbers = [...src.matchAll(/= (\d+)/g)];
    const values = ['0', '1', '3', '7', '4294967295', '9007199254740991', '123456789', '2'];
    for (let i = 0; i < Math.floor(CASES / 10); i++) {
      let t = src;
      for (let k = 1 + r(3); k > 0; k--) {
        const m = numbers[r(numbers.length)]!;
        const v = values[r(values.length)]!;
        t = t.slice(0, m.index! + 2) + v + t.slice(m.index! + 2 + m[1]!.length);
      }
      const next = Uint8Array.from(t, (c) => c.charCodeAt(0));
      onlyEngineErrors(() => {
        const m = scanLvm([{ name: '/dev/sda', source: new MemorySource(withText(next)) }]);
        for (const d of m.devices)
          onlyEngineErrors(() => d.source.readAt(0, Math.min(d.source.size, 65536)), `read ${i}`);
      }, `scan ${i}`);
    }
  });
});

describe('scan fuzzing: mutated label and metadata area sectors', () => {
  it(`${Math.floor(CASES / 10)} mutated PVs: scan and reads fail only with EngineErrors`, () => {
    const r = rng(0xc0ffee);
    for (let i = 0; i < Math.floor(CASES / 10); i++) {
      const b = disk1.slice(0, 2 << 20);
      // Hit the label sector, the mda header, or the metadata text.
      for (let k = 1 + r(4); k > 0; k--) {
        const region = [
          [512, 512],
          [4096, 512],
          [8192, 4096],
        ][r(3)]!;
        b[region[0]! + r(region[1]!)] = r(256);
      }
      onlyEngineErrors(() => {
        const m = scanLvm([{ name: '/dev/sda', source: new MemorySource(b) }]);
        for (const d of m.devices)
          onlyEngineErrors(() => d.source.readAt(0, Math.min(d.source.size, 8192)), `read ${i}`);
      }, `scan ${i}`);
    }
  });
});
