// Damaged qcow2 images: one field of a good image (built by qemu-img) is patched, and the
// engine must answer with a typed EngineError naming the structure — never a hang, a crash,
// a huge allocation or wrong bytes. Field offsets are those of QEMU docs/interop/qcow2.txt.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { ensureFixture } from '../helpers/fixtures.js';
import {
  MiB,
  be32,
  be64,
  engineError,
  hashImage,
  openBytes,
  prng,
  readExpected,
  setBe32,
  setBe64,
} from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('qcow2');
});

const load = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, `${name}.qcow2`)));

/** The first L2 table (of L1 entry 0) and the file position of its entry `i`. */
function firstL2(img: Uint8Array, entrySize = 8) {
  const clusterSize = 2 ** be32(img, 20);
  const l1Entry = new DataView(img.buffer, img.byteOffset).getBigUint64(be64(img, 40), false);
  const l2 = Number(l1Entry & 0x00fffffffffffe00n);
  return {
    clusterSize,
    l1: be64(img, 40),
    l2,
    entry: (i: number) => l2 + i * entrySize,
    /** Index of the first entry whose 64-bit descriptor satisfies `pred`. */
    find(pred: (hi: number, lo: number) => boolean): number {
      for (let i = 0; i < clusterSize / entrySize; i++) {
        if (pred(be32(img, l2 + i * entrySize), be32(img, l2 + i * entrySize + 4))) return i;
      }
      throw new Error('no such L2 entry in the fixture');
    },
  };
}

const standard = (hi: number, lo: number) => (hi & 0x40000000) === 0 && (hi !== 0 || lo !== 0);
const compressed = (hi: number) => (hi & 0x40000000) !== 0;

function expectError(e: EngineError, kind: string, structure: string): void {
  expect({ kind: e.kind, structure: e.structure }).toEqual({ kind, structure });
}

/** Header fields patched in v3.qcow2 (64 KiB clusters, 64 MiB), failing at open. */
const headerCases: [string, (b: Uint8Array) => void, string, string][] = [
  ['version 4', (b) => setBe32(b, 4, 4), 'unsupported', 'qcow2 header'],
  ['version 0', (b) => setBe32(b, 4, 0), 'corrupt', 'qcow2 header'],
  ['cluster_bits 8', (b) => setBe32(b, 20, 8), 'corrupt', 'qcow2 header'],
  ['cluster_bits 22', (b) => setBe32(b, 20, 22), 'corrupt', 'qcow2 header'],
  ['size past 2^53', (b) => setBe64(b, 24, 1n << 60n), 'corrupt', 'qcow2 header'],
  ['crypt_method 3', (b) => setBe32(b, 32, 3), 'corrupt', 'qcow2 header'],
  ['l1_size huge', (b) => setBe32(b, 36, 0xffffffff), 'corrupt', 'qcow2 header'],
  ['l1_size too small for the size', (b) => setBe32(b, 36, 0), 'corrupt', 'qcow2 header'],
  [
    'l1_table_offset past EOF',
    (b) => setBe64(b, 40, BigInt(b.length + 65536)),
    'corrupt',
    'qcow2 L1 table',
  ],
  [
    'l1_table_offset unaligned',
    (b) => setBe64(b, 40, BigInt(be64(b, 40) + 512)),
    'corrupt',
    'qcow2 header',
  ],
  ['nb_snapshots past MAX_SNAPSHOTS', (b) => setBe32(b, 60, 0x7fffffff), 'corrupt', 'qcow2 header'],
  ['unknown incompatible bit 5', (b) => setBe64(b, 72, 1n << 5n), 'unsupported', 'qcow2 header'],
  ['unknown incompatible bit 63', (b) => setBe64(b, 72, 1n << 63n), 'unsupported', 'qcow2 header'],
  ['compression type bit with zlib', (b) => setBe64(b, 72, 1n << 3n), 'corrupt', 'qcow2 header'],
  ['refcount_order 7', (b) => setBe32(b, 96, 7), 'corrupt', 'qcow2 header'],
  ['header_length 96 (< 104)', (b) => setBe32(b, 100, 96), 'corrupt', 'qcow2 header'],
  ['header_length past the cluster', (b) => setBe32(b, 100, 65536 + 8), 'corrupt', 'qcow2 header'],
  [
    'an extension longer than the cluster',
    (b) => setBe32(b, be32(b, 100) + 4, 0x10000),
    'corrupt',
    'qcow2 header extension',
  ],
  [
    'backing_file_size 2000',
    (b) => (setBe64(b, 8, 4096n), setBe32(b, 16, 2000)),
    'corrupt',
    'qcow2 header',
  ],
  [
    'backing file name outside the cluster',
    (b) => (setBe64(b, 8, 65530n), setBe32(b, 16, 100)),
    'corrupt',
    'qcow2 header',
  ],
  [
    'external data file bit without a name',
    (b) => setBe64(b, 72, 1n << 2n),
    'ENOENT',
    undefined as unknown as string,
  ],
];

describe('header fields', () => {
  test('magic: not detected as qcow2; forced with --format qcow2 it is corrupt', () => {
    const b = load('v3');
    setBe32(b, 0, 0x12345678);
    expect(openBytes(b).format).toBe('raw');
    expectError(
      engineError(() => openBytes(b, [], 'qcow2')),
      'corrupt',
      'qcow2 header',
    );
  });

  test.each(headerCases)('%s', (_, patch, kind, structure) => {
    const b = load('v3');
    patch(b);
    expectError(
      engineError(() => openBytes(b)),
      kind,
      structure,
    );
  });

  test('dirty and corrupt bits: opens read-only, says so, reads what qemu-img reads', () => {
    const b = load('v3');
    setBe64(b, 72, 0b11n); // incompatible bits 0 (dirty) and 1 (corrupt)
    const image = openBytes(b);
    expect([image.info.dirty, image.info.corrupt, image.info.readOnly]).toEqual([true, true, true]);
    expect(hashImage(image)).toBe(readExpected(dir, 'v3').sha256);
  });

  test('compression_type 2 with its feature bit is unsupported', () => {
    const b = load('zstd');
    b[104] = 2;
    const e = engineError(() => openBytes(b));
    expectError(e, 'unsupported', 'qcow2 header');
    expect(e.feature).toBe('qcow2 compression type 2');
  });

  test('extended L2 entries with 4 KiB clusters', () => {
    const b = load('c4k');
    setBe64(b, 72, 1n << 4n);
    expectError(
      engineError(() => openBytes(b)),
      'corrupt',
      'qcow2 header',
    );
  });

  test('an unknown bit is named from the feature name table when the table names it', () => {
    const b = load('v3');
    // QEMU writes a feature name table (0x6803f857) of 48-byte entries: type, bit, name.
    let ext = be32(b, 100);
    while (be32(b, ext) !== 0x6803f857) ext += 8 + Math.ceil(be32(b, ext + 4) / 8) * 8;
    const entry = ext + 8; // the first entry: incompatible bit 0, "dirty bit"
    const name = Buffer.from(b.subarray(entry + 2, entry + 48))
      .toString('latin1')
      .replace(/\0+$/, '');
    b[entry + 1] = 40;
    setBe64(b, 72, 1n << 40n);
    const e = engineError(() => openBytes(b));
    expectError(e, 'unsupported', 'qcow2 header');
    expect(e.feature).toBe(`qcow2 incompatible feature bit 40 (${name})`);
  });
});

describe('tables and clusters (fail when read)', () => {
  test('an L2 entry pointing past EOF', () => {
    const b = load('v3');
    const t = firstL2(b);
    const i = t.find(standard);
    setBe64(b, t.entry(i), (1n << 63n) | BigInt(b.length + 10 * t.clusterSize));
    const image = openBytes(b);
    expectError(
      engineError(() => image.readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 L2 table',
    );
  });

  test('an L2 entry with an unaligned host offset', () => {
    const b = load('v3');
    const t = firstL2(b);
    const i = t.find(standard);
    setBe32(b, t.entry(i) + 4, be32(b, t.entry(i) + 4) + 512);
    expectError(
      engineError(() => openBytes(b).readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 L2 table',
    );
  });

  test('an L1 entry pointing past EOF', () => {
    const b = load('v3');
    setBe64(b, be64(b, 40), BigInt(b.length + 65536 * 4));
    expectError(
      engineError(() => openBytes(b).readAt(0, 512)),
      'corrupt',
      'qcow2 L1 table',
    );
  });

  /** Rewrite the host offset of a compressed descriptor (64 KiB clusters: bits 0..53). */
  function setCompressedOffset(b: Uint8Array, pos: number, offset: bigint): void {
    const d = new DataView(b.buffer, b.byteOffset).getBigUint64(pos, false);
    const mask = (1n << 54n) - 1n;
    setBe64(b, pos, (d & ~mask) | (offset & mask));
  }

  test.each([
    ['past EOF', (len: number) => BigInt(len + 4096)],
    ['past 2^53', () => 1n << 53n],
  ])('a compressed cluster descriptor %s', (_, offset) => {
    const b = load('zlib');
    const t = firstL2(b);
    const i = t.find(compressed);
    setCompressedOffset(b, t.entry(i), offset(b.length));
    expectError(
      engineError(() => openBytes(b).readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 compressed cluster descriptor',
    );
  });

  test.each(['zlib', 'zstd'])('%s: garbage compressed data', (name) => {
    const b = load(name);
    const t = firstL2(b);
    const i = t.find(compressed);
    const hi = be32(b, t.entry(i));
    const off = Number((BigInt(hi & 0x3fffff) << 32n) | BigInt(be32(b, t.entry(i) + 4)));
    b.fill(0xff, off + 1, off + 200);
    expectError(
      engineError(() => openBytes(b).readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 compressed cluster',
    );
  });

  test('a zero-cluster flag in a version 2 image', () => {
    const b = load('v2');
    const t = firstL2(b);
    const i = t.find(standard);
    setBe32(b, t.entry(i) + 4, be32(b, t.entry(i) + 4) | 1);
    expectError(
      engineError(() => openBytes(b).readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 L2 table',
    );
  });

  test('extended L2: a sub-cluster both allocated and zero', () => {
    const b = load('extl2');
    const t = firstL2(b, 16);
    const i = t.find(standard);
    setBe32(b, t.entry(i) + 8, be32(b, t.entry(i) + 12)); // zero bits := allocation bits
    expectError(
      engineError(() => openBytes(b).readAt(i * t.clusterSize, 512)),
      'corrupt',
      'qcow2 L2 table',
    );
  });

  test('snapshot table: extra_data_size past its limit', () => {
    const b = load('snap');
    setBe32(b, be64(b, 64) + 36, 0x100000);
    expectError(
      engineError(() => openBytes(b)),
      'corrupt',
      'qcow2 snapshot table',
    );
  });

  test('snapshot table: past the end of the file', () => {
    const b = load('snap');
    setBe64(b, 64, BigInt(b.length + 65536));
    expectError(
      engineError(() => openBytes(b)),
      'corrupt',
      'qcow2 snapshot table',
    );
  });
});

describe('mutation fuzzing', () => {
  /** Open, then read where the fixture has data, compressed clusters and holes. */
  function exercise(b: Uint8Array): void {
    const image = openBytes(b);
    for (const off of [0, 1 * MiB, 8 * MiB + 512, 20 * MiB, image.size - 65536]) {
      if (off >= 0 && off + 65536 <= image.size) image.readAt(off, 65536);
    }
  }

  test.each([
    ['v3', 'the header cluster', 0, 65536],
    ['zlib', 'the header cluster', 0, 65536],
  ])(
    '200 single-byte mutations of %s %s give an EngineError or a valid open',
    (name, _, from, to) => {
      const good = load(name);
      const rnd = prng(0xfa11 + name.length);
      const outcomes = { opened: 0, errors: 0 };
      for (let n = 0; n < 200; n++) {
        const b = good.slice();
        // Half the mutations hit the fixed header and extensions, half anywhere in the cluster.
        const at = from + Math.floor(rnd() * (n % 2 === 0 ? 512 : to - from));
        b[at] = Math.floor(rnd() * 256);
        try {
          exercise(b);
          outcomes.opened++;
        } catch (e) {
          if (!(e instanceof EngineError))
            throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
          outcomes.errors++;
        }
      }
      expect(outcomes.opened + outcomes.errors).toBe(200);
      expect(outcomes.errors).toBeGreaterThan(0);
    },
  );
});
