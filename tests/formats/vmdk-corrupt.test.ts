// Damaged VMDKs: one field of a good file (built by qemu-img, or the seSparse extent of the
// peer corpus) is patched, and the engine must answer with a typed EngineError naming the
// structure — never a hang, a crash, a huge allocation or wrong bytes. Field offsets are
// those of VMware's "Virtual Disk Format 1.1" (hosted sparse header, footer, grain marker)
// and QEMU's VMDKSESparseConstHeader.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { vmdkDriver } from '../../src/engine/formats/vmdk/driver.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture, readTestdata } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, openBytes, prng, readExpected } from './helpers.js';

const dir = ensureFixture('vmdk');
const load = (file: string) => new Uint8Array(fs.readFileSync(path.join(dir, file)));
const node = (file: string): [string, BlockSource] => [
  file,
  new NodeFileSource(path.join(dir, file)),
];

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const le32 = (b: Uint8Array, off: number) => dv(b).getUint32(off, true);
const le64 = (b: Uint8Array, off: number) => Number(dv(b).getBigUint64(off, true));
const setLe32 = (b: Uint8Array, off: number, v: number) => dv(b).setUint32(off, v >>> 0, true);
const setLe64 = (b: Uint8Array, off: number, v: bigint) => dv(b).setBigUint64(off, v, true);

const openVmdk = (b: Uint8Array, others: [string, BlockSource][] = [], hint?: string) =>
  openBytes(b, others, hint, 'test.vmdk');

function expectError(e: EngineError, kind: string, structure: string | undefined): void {
  expect({ kind: e.kind, structure: e.structure }).toEqual({ kind, structure });
}

/** The first grain table of a hosted sparse file, and its entry i's file position. */
function firstGt(b: Uint8Array) {
  const gd = le64(b, 56) * 512;
  const gt = le32(b, gd) * 512;
  return { gd, gt, entry: (i: number) => gt + i * 4, find: (pred: (v: number) => boolean) => {
    for (let i = 0; i < le32(b, 44); i++) if (pred(le32(b, gt + i * 4))) return i;
    throw new Error('no such grain table entry in the fixture');
  } }; // prettier-ignore
}

const HEADER = 'VMDK sparse extent header';
const DESCRIPTOR = 'VMDK descriptor';

describe('hosted sparse extent header (sparse.vmdk)', () => {
  test('magic: not detected as vmdk; forced, it is not a descriptor either', () => {
    const b = load('sparse.vmdk');
    setLe32(b, 0, 0x12345678);
    expect(openVmdk(b).format).toBe('raw');
    expectError(
      engineError(() => openVmdk(b, [], 'vmdk')),
      'corrupt',
      DESCRIPTOR,
    );
  });

  const cases: [string, (b: Uint8Array) => void, string, string][] = [
    ['version 4', (b) => setLe32(b, 4, 4), 'unsupported', HEADER],
    ['version 0', (b) => setLe32(b, 4, 0), 'corrupt', HEADER],
    ['grainSize 0', (b) => setLe64(b, 20, 0n), 'corrupt', HEADER],
    ['grainSize huge (2^40 sectors)', (b) => setLe64(b, 20, 1n << 40n), 'corrupt', HEADER],
    ['grainSize not a power of two', (b) => setLe64(b, 20, 96n), 'corrupt', HEADER],
    ['numGTEsPerGT 0', (b) => setLe32(b, 44, 0), 'corrupt', HEADER],
    ['numGTEsPerGT 4096', (b) => setLe32(b, 44, 4096), 'corrupt', HEADER],
    ['capacity past 2^53 bytes', (b) => setLe64(b, 12, 1n << 60n), 'corrupt', HEADER],
    [
      'capacity needing a GD past MAX_GD_ENTRIES',
      (b) => setLe64(b, 12, 1n << 43n),
      'corrupt',
      HEADER,
    ],
    ['gdOffset past EOF', (b) => setLe64(b, 56, BigInt(b.length / 512 + 10)), 'corrupt', HEADER],
    ['gdOffset past 2^53 bytes', (b) => setLe64(b, 56, 1n << 62n), 'corrupt', HEADER],
    ['overHead past EOF', (b) => setLe64(b, 64, BigInt(b.length / 512 + 1)), 'corrupt', HEADER],
    ['newline check character', (b) => (b[73] = 0x0d), 'corrupt', HEADER],
    ['compressAlgorithm 7', (b) => (b[77] = 7), 'unsupported', HEADER],
    ['descriptorSize past EOF', (b) => setLe64(b, 36, BigInt(b.length)), 'corrupt', HEADER],
  ];
  test.each(cases)('%s', (_, patch, kind, structure) => {
    const b = load('sparse.vmdk');
    patch(b);
    expectError(
      engineError(() => openVmdk(b)),
      kind,
      structure,
    );
  });

  test('a grain directory entry past EOF fails when read', () => {
    const b = load('sparse.vmdk');
    setLe32(b, le64(b, 56) * 512, b.length / 512 + 100);
    expectError(
      engineError(() => openVmdk(b).readAt(0, 512)),
      'corrupt',
      'VMDK grain directory',
    );
  });

  test('a grain table entry past EOF fails when read', () => {
    const b = load('sparse.vmdk');
    const t = firstGt(b);
    const i = t.find((v) => v > 1);
    setLe32(b, t.entry(i), b.length / 512 + 1000);
    expectError(
      engineError(() => openVmdk(b).readAt(i * 65536, 512)),
      'corrupt',
      'VMDK grain table',
    );
  });

  test('a grain table entry inside the metadata area fails when read', () => {
    const b = load('sparse.vmdk');
    const t = firstGt(b);
    const i = t.find((v) => v > 1);
    setLe32(b, t.entry(i), 2);
    expectError(
      engineError(() => openVmdk(b).readAt(i * 65536, 512)),
      'corrupt',
      'VMDK grain table',
    );
  });

  test('GTE 1 without the zeroed-grain flag is not a zero grain', () => {
    const b = load('sparse.vmdk');
    expect(le32(b, 8) & 4).toBe(0);
    const t = firstGt(b);
    const i = t.find((v) => v > 1);
    setLe32(b, t.entry(i), 1);
    expectError(
      engineError(() => openVmdk(b).readAt(i * 65536, 512)),
      'corrupt',
      'VMDK grain table',
    );
  });
});

describe('stream-optimized: footer and grain markers', () => {
  const FOOTER = 'VMDK footer';
  const footerCases: [string, (b: Uint8Array, end: number) => void][] = [
    ['footer marker type', (b, end) => setLe32(b, end - 1536 + 12, 1)],
    ['footer marker size', (b, end) => setLe32(b, end - 1536 + 8, 12)],
    ['footer magic', (b, end) => setLe32(b, end - 1024, 0)],
    ['end-of-stream marker', (b, end) => setLe32(b, end - 512 + 12, 3)],
    ['footer grainSize 0', (b, end) => setLe64(b, end - 1024 + 20, 0n)],
    ['footer gdOffset past EOF', (b, end) => setLe64(b, end - 1024 + 56, BigInt(end))],
  ];
  test.each(footerCases)('%s', (_, patch) => {
    const b = load('stream-footer.vmdk');
    patch(b, b.length);
    expectError(
      engineError(() => openVmdk(b)),
      'corrupt',
      FOOTER,
    );
  });

  test('the footer, not the header, is read: a header grain size of 0 does not matter', () => {
    const b = load('stream-footer.vmdk');
    setLe64(b, 20, 0n);
    expect(hashImage(openVmdk(b))).toBe(readExpected(dir, 'stream-footer').sha256);
  });

  /** The first compressed grain of stream.vmdk: its guest offset and marker position. */
  function firstGrain(b: Uint8Array) {
    const t = firstGt(b);
    const i = t.find((v) => v > 1);
    return { guest: i * 65536, marker: le32(b, t.entry(i)) * 512 };
  }

  test.each([
    ['size 0 (a metadata marker)', 0],
    ['size past two grains', 3 * 65536],
  ])('grain marker %s', (_, size) => {
    const b = load('stream.vmdk');
    const g = firstGrain(b);
    setLe32(b, g.marker + 8, size);
    expectError(
      engineError(() => openVmdk(b).readAt(g.guest, 512)),
      'corrupt',
      'VMDK grain marker',
    );
  });

  test('garbage compressed data', () => {
    const b = load('stream.vmdk');
    const g = firstGrain(b);
    b.fill(0xff, g.marker + 12, g.marker + 40);
    expectError(
      engineError(() => openVmdk(b).readAt(g.guest, 512)),
      'corrupt',
      'VMDK compressed grain',
    );
  });
});

describe('descriptor files', () => {
  const text = fs.readFileSync(path.join(dir, 'flat.vmdk'), 'latin1');
  const extentLine = /^RW \d+ FLAT "flat-flat.vmdk" 0$/m;
  const withText = (t: string) => new Uint8Array(Buffer.from(t, 'latin1'));
  const openText = (t: string, others: [string, BlockSource][] = [node('flat-flat.vmdk')]) =>
    openVmdk(withText(t), others);

  test('the unmodified descriptor opens (control)', () => {
    expect(extentLine.test(text)).toBe(true);
    expect(hashImage(openText(text))).toBe(readExpected(dir, 'flat').sha256);
  });

  test('CR LF line ends and a UTF-8 extent name read the same bytes', () => {
    const name = 'dïsk-flat.vmdk';
    const t = text.replace(extentLine, `RW 131072 FLAT "${name}" 0`).replace(/\n/g, '\r\n');
    const image = openVmdk(new Uint8Array(Buffer.from(t, 'utf8')), [
      [name, node('flat-flat.vmdk')[1]],
    ]);
    expect(hashImage(image)).toBe(readExpected(dir, 'flat').sha256);
  });

  test.each([
    ['size not a number', 'RW abc FLAT "flat-flat.vmdk" 0'],
    ['size past 2^53 bytes', 'RW 99999999999999999 FLAT "flat-flat.vmdk" 0'],
    ['no file name', 'RW 131072 FLAT'],
    ['unquoted file name', 'RW 131072 FLAT flat-flat.vmdk 0'],
    ['offset not a number', 'RW 131072 FLAT "flat-flat.vmdk" x1'],
    ['flat extent past the end of its file', 'RW 131072 FLAT "flat-flat.vmdk" 1'],
    ['a sparse extent that is a raw file', 'RW 131072 SPARSE "flat-flat.vmdk"'],
  ])('extent line: %s', (_, line) => {
    expectError(
      engineError(() => openText(text.replace(extentLine, line))),
      'corrupt',
      DESCRIPTOR,
    );
  });

  test('an unknown extent type is unsupported, naming it', () => {
    const e = engineError(() =>
      openText(text.replace(extentLine, 'RW 131072 TAPE "flat-flat.vmdk"')),
    );
    expect([e.kind, e.feature]).toEqual(['unsupported', 'VMDK extent type TAPE']);
  });

  test('a sparse extent larger than its file says', () => {
    const t = text.replace(extentLine, 'RW 999999 SPARSE "custom-c.vmdk"');
    expectError(
      engineError(() => openText(t, [node('custom-c.vmdk')])),
      'corrupt',
      DESCRIPTOR,
    );
  });

  test('CID not hexadecimal', () => {
    expectError(
      engineError(() => openText(text.replace(/^CID=.*$/m, 'CID=xyz'))),
      'corrupt',
      DESCRIPTOR,
    );
  });

  test('no extent lines', () => {
    expectError(
      engineError(() => openText(text.replace(extentLine, ''))),
      'corrupt',
      DESCRIPTOR,
    );
  });

  test('a NOACCESS extent opens; reading it is EPERM naming the file', () => {
    const image = openText(text.replace(extentLine, 'NOACCESS 131072 FLAT "flat-flat.vmdk" 0'));
    const e = engineError(() => image.readAt(0, 512));
    expect([e.kind, e.path]).toEqual(['EPERM', 'flat-flat.vmdk']);
  });

  test('a descriptor-sized text file larger than MAX_DESCRIPTOR_BYTES is refused', () => {
    const big = withText(text + '#'.repeat(MiB));
    expect(openVmdk(big).format).toBe('raw');
    expectError(
      engineError(() => openVmdk(big, [], 'vmdk')),
      'corrupt',
      DESCRIPTOR,
    );
  });
});

describe('probe', () => {
  test('never throws, on any short or random head', () => {
    const rnd = prng(0x9b0b);
    for (let n = 0; n < 2000; n++) {
      const head = new Uint8Array(Math.floor(rnd() * 96)).map(() => Math.floor(rnd() * 256));
      // Seed some with the magics and the descriptor's first line.
      if (n % 4 === 1) head.set([0x4b, 0x44, 0x4d, 0x56].slice(0, head.length));
      if (n % 4 === 2) head.set(Buffer.from('# Disk DescriptorFile').subarray(0, head.length));
      expect(typeof vmdkDriver.probe(head, head.length)).toBe('boolean');
    }
  });
});

describe('mutation fuzzing', () => {
  /** Open, then read at data, holes and the end. */
  function exercise(b: Uint8Array, others: [string, BlockSource][] = []): void {
    const image = openVmdk(b, others, 'vmdk');
    for (const off of [0, 1 * MiB, 33 * MiB + 512, 44 * MiB, image.size - 65536]) {
      if (off >= 0 && off + 65536 <= image.size) image.readAt(off, 65536);
    }
  }

  function fuzz(
    file: string,
    region: (len: number) => [number, number],
    seed: number,
    others: [string, BlockSource][] = [],
  ) {
    const good = load(file);
    const [from, to] = region(good.length);
    const rnd = prng(seed);
    const outcomes = { opened: 0, errors: 0 };
    for (let n = 0; n < 200; n++) {
      const b = good.slice();
      const at = from + Math.floor(rnd() * (to - from));
      b[at] = Math.floor(rnd() * 256);
      try {
        exercise(b, others);
        outcomes.opened++;
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
        outcomes.errors++;
      }
    }
    expect(outcomes.errors).toBeGreaterThan(0);
  }

  test('200 single-byte mutations of sparse.vmdk header and descriptor', () => {
    fuzz('sparse.vmdk', () => [0, 80], 0x5eed);
    fuzz('sparse.vmdk', () => [512, 1024], 0x5eee);
  });
  test('200 single-byte mutations of sparse.vmdk grain directory and first table', () => {
    const b = load('sparse.vmdk');
    const t = firstGt(b);
    fuzz('sparse.vmdk', () => [t.gd, t.gt + 2048], 0x6eed);
  });
  test('200 single-byte mutations of the stream-optimized footer', () => {
    fuzz('stream-footer.vmdk', (len) => [len - 1536, len], 0x7eed);
  });
  test('200 single-byte mutations of a descriptor file', () => {
    fuzz('flat.vmdk', () => [0, 300], 0x8eed, [node('flat-flat.vmdk')]);
  });
});

describe('seSparse (the peer corpus extent)', () => {
  const SE = 'dissect.hypervisor/vmdk/sesparse.vmdk.gz';
  let good: Uint8Array | undefined;
  const copy = () => (good ??= readTestdata(SE)).slice();
  const open = (b: Uint8Array) => openBytes(b, [], undefined, 'sesparse.vmdk');
  const GD = 0x1000 * 512;
  const gtOf = (b: Uint8Array) => 0x1800 * 512 + le32(b, GD) * 32768;

  test.each([
    [
      'version',
      (b: Uint8Array) => setLe64(b, 8, 0x300000001n),
      'unsupported',
      'VMDK seSparse header',
    ],
    [
      'grain size 16',
      (b: Uint8Array) => setLe64(b, 24, 16n),
      'unsupported',
      'VMDK seSparse header',
    ],
    ['flags', (b: Uint8Array) => setLe64(b, 40, 1n), 'unsupported', 'VMDK seSparse header'],
    [
      'grain directory offset past EOF',
      (b: Uint8Array) => setLe64(b, 128, 1n << 40n),
      'corrupt',
      'VMDK seSparse header',
    ],
    [
      'grain directory size too small',
      (b: Uint8Array) => setLe64(b, 136, 0n),
      'corrupt',
      'VMDK seSparse header',
    ],
    [
      'volatile header magic',
      (b: Uint8Array) => setLe32(b, 512, 0),
      'corrupt',
      'VMDK seSparse volatile header',
    ],
    [
      'journal to replay',
      (b: Uint8Array) => setLe64(b, 512 + 24, 1n),
      'unsupported',
      'VMDK seSparse volatile header',
    ],
  ] as const)('%s', (_, patch, kind, structure) => {
    const b = copy();
    patch(b);
    expectError(
      engineError(() => open(b)),
      kind,
      structure,
    );
  });

  test('magic: not detected as vmdk', () => {
    const b = copy();
    setLe64(b, 0, 0xcafebabfn);
    expect(open(b).format).toBe('raw');
  });

  test('grain directory entry of an unknown type', () => {
    const b = copy();
    setLe32(b, GD + 4, 0x20000000);
    expectError(
      engineError(() => open(b).readAt(0, 512)),
      'corrupt',
      'VMDK seSparse grain directory',
    );
  });

  test('grain directory entry past the tables area', () => {
    const b = copy();
    setLe32(b, GD, 0x7fffffff);
    expectError(
      engineError(() => open(b).readAt(0, 512)),
      'corrupt',
      'VMDK seSparse grain directory',
    );
  });

  test.each([
    ['type 5', 0x50000000, 0],
    ['type 0 with bits set', 0x00000001, 0],
    ['allocated past the grains area', 0x3000ffff, 0xffffffff],
  ])('grain table entry: %s', (_, hi, lo) => {
    const b = copy();
    setLe32(b, gtOf(b) + 4, hi);
    setLe32(b, gtOf(b), lo);
    expectError(
      engineError(() => open(b).readAt(0, 512)),
      'corrupt',
      'VMDK seSparse grain table',
    );
  });

  test('a zero-type grain table entry reads zeros where the grain was', () => {
    const b = copy();
    expect(
      open(b)
        .readAt(4096, 4096)
        .every((x) => x === 0x61),
    ).toBe(true);
    setLe32(b, gtOf(b) + 8 + 4, 0x20000000);
    const image = open(b);
    expect(image.readAt(4096, 4096).every((x) => x === 0)).toBe(true);
    expect(image.readAt(0, 4096).every((x) => x === 0x61)).toBe(true);
  });

  test('200 single-byte mutations of the headers and the first map entries', () => {
    const base = copy();
    const rnd = prng(0x5e5e);
    const regions = [
      [0, 512],
      [512, 544],
      [GD, GD + 64],
      [gtOf(base), gtOf(base) + 256],
    ] as const;
    let errors = 0;
    for (let n = 0; n < 200; n++) {
      const b = base.slice();
      const [from, to] = regions[n % regions.length]!;
      const at = from + Math.floor(rnd() * (to - from));
      b[at] = Math.floor(rnd() * 256);
      try {
        const image = openBytes(b, [], 'vmdk', 'sesparse.vmdk');
        image.readAt(0, 65536);
        image.readAt(Math.max(0, image.size - 65536), Math.min(65536, image.size));
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
