// EWF (E01) images made by ewfacquire (fixtures/build-ewf.sh), read through the engine and
// compared with libewf's own tools on the same files: the sha256 of `ewfexport -f raw`,
// ewfinfo's geometry, hashes and case metadata, and ewfverify's stored and calculated
// hashes. Damaged copies (one field patched) must fail with the structure named.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { adler32 } from '../../src/engine/formats/ewf/adler32.js';
import type { EwfImage } from '../../src/engine/formats/ewf/image.js';
import { segmentName } from '../../src/engine/formats/ewf/segment.js';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import { createOpenContext, detectFormat, openImage } from '../../src/engine/formats/registry.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, prng } from './helpers.js';

interface EwfExpected {
  info: {
    format: string;
    sectors_per_chunk: number;
    bytes_per_sector: number;
    number_of_sectors: number;
    media_size: number;
    md5: string;
    sha1: string | null;
    case_number: string;
    evidence_number: string;
    examiner: string;
    description: string;
    notes: string;
  };
  sha256: string;
  first: string;
  segments: string[];
  verify: {
    md5_stored: string | null;
    md5_calculated: string | null;
    sha1_stored: string | null;
    sha1_calculated: string | null;
    success: boolean;
  };
}

let dir: string;
beforeAll(() => {
  dir = ensureFixture('ewf');
});
const expected = (name: string): EwfExpected =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.json`), 'utf8')) as EwfExpected;
const open = (name: string) =>
  openNodeImage(path.join(dir, expected(name).first)).image as EwfImage;

const ALL = [
  'fast',
  'none',
  'best128',
  'empty',
  'e5',
  'ftk',
  'linen6',
  'encase2',
  'smart',
  'p4096',
  'partial',
];

describe.each(ALL)('%s', (name) => {
  test('media bytes equal ewfexport -f raw; geometry equals ewfinfo', () => {
    const exp = expected(name);
    const image = open(name);
    expect(image.format).toBe('ewf');
    expect(image.size).toBe(exp.info.media_size);
    expect(image.info.bytesPerSector).toBe(exp.info.bytes_per_sector);
    expect(image.info.sectorsPerChunk).toBe(exp.info.sectors_per_chunk);
    expect(image.info.sectorCount).toBe(exp.info.number_of_sectors);
    expect(image.info.segments).toEqual(exp.segments);
    expect(hashImage(image)).toBe(exp.sha256);
  });

  test('stored hashes and case metadata equal ewfinfo', () => {
    const exp = expected(name);
    const info = open(name).info;
    expect(info.md5).toBe(exp.info.md5);
    expect(info.sha1 ?? null).toBe(exp.info.sha1 ?? null);
    expect(info.caseNumber).toBe(exp.info.case_number);
    expect(info.evidenceNumber).toBe(exp.info.evidence_number);
    expect(info.examiner).toBe(exp.info.examiner);
    expect(info.description).toBe(exp.info.description);
    expect(info.notes).toBe(exp.info.notes);
  });

  test('verify() agrees with ewfverify', () => {
    const { verify: v } = expected(name);
    const r = open(name).verify();
    expect(r.md5.stored).toBe(v.md5_stored);
    expect(r.md5.computed).toBe(v.md5_calculated);
    if (v.sha1_stored !== null) {
      expect(r.sha1.stored).toBe(v.sha1_stored);
      expect(r.sha1.computed).toBe(v.sha1_calculated);
    }
    expect(r.ok).toBe(v.success);
  });
});

test('partial.E01: ewfverify reports FAILURE (hashes of 6,000,000 bytes, 11718 sectors kept)', () => {
  expect(expected('partial').verify.success).toBe(false);
  expect(open('partial').verify().ok).toBe(false);
});

test('random reads equal the same ranges of disk.raw', () => {
  const raw = new NodeFileSource(path.join(dir, 'disk.raw'));
  for (const name of ['fast', 'none', 'smart', 'best128']) {
    const image = open(name);
    const rnd = prng(0xe01 + name.length);
    for (let i = 0; i < 150; i++) {
      const length = 1 + Math.floor(rnd() * (i % 5 === 0 ? 3 * MiB : 70000));
      const offset = Math.floor(rnd() * (image.size - length));
      if (
        !Buffer.from(image.readAt(offset, length)).equals(Buffer.from(raw.readAt(offset, length)))
      ) {
        throw new Error(`${name}: ${offset}+${length} differs from disk.raw`);
      }
    }
  }
  raw.close();
});

describe('segment files', () => {
  test('a missing segment: ENOENT naming it', () => {
    const e = engineError(() => openNodeImage(path.join(dir, 'gap/fast.E01')));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe('fast.E02');
  });

  test('in the browser the segments are found among the supplied files', () => {
    const exp = expected('none');
    const files = exp.segments.map((s) => [s, new NodeFileSource(path.join(dir, s))] as const);
    const resolver = new MapResolver(files);
    const image = openImage(files[0]![1], createOpenContext(resolver, exp.first));
    expect(hashImage(image)).toBe(exp.sha256);
  });

  // libewf's documentation, "Segment file extensions" (EWF-E01 and EWF-S01).
  test.each([
    ['x.E01', 2, 'x.E02'],
    ['x.E01', 99, 'x.E99'],
    ['x.E01', 100, 'x.EAA'],
    ['x.E01', 125, 'x.EAZ'],
    ['x.E01', 126, 'x.EBA'],
    ['x.E01', 775, 'x.EZZ'],
    ['x.E01', 776, 'x.FAA'],
    ['x.s01', 100, 'x.saa'],
  ])('%s: segment %d is %s', (first, n, name) => {
    expect(segmentName(first, n)).toBe(name);
  });

  test('detection: EVF is ewf; EWF2 (EVF2) is probed and refused as unsupported', () => {
    const head = new Uint8Array(fs.readFileSync(path.join(dir, 'fast.E01')).subarray(0, 65536));
    expect(detectFormat(head, head.length).name).toBe('ewf');
    const evf2 = new Uint8Array(4096);
    evf2.set(Buffer.from('EVF2\r\n\x81\x00', 'latin1'));
    expect(detectFormat(evf2, evf2.length).name).toBe('ewf');
    const resolver = new MapResolver([['x.Ex01', new MemorySource(evf2, 'x.Ex01')]]);
    const e = engineError(() =>
      openImage(resolver.resolve('x.Ex01')!.source, createOpenContext(resolver, 'x.Ex01')),
    );
    expect(e.kind).toBe('unsupported');
  });
});

// --- damaged images ---------------------------------------------------------------------------

interface SectionAt {
  type: string;
  offset: number;
  size: number;
}

/** The section chain of a segment, walked as the libewf document describes it. */
function sections(b: Uint8Array): SectionAt[] {
  const v = new DataView(b.buffer, b.byteOffset);
  const out: SectionAt[] = [];
  for (let off = 13; ;) {
    const type = Buffer.from(b.subarray(off, off + 16))
      .toString('latin1')
      .replace(/\0.*$/, '');
    const next = Number(v.getBigUint64(off + 16, true));
    out.push({ type, offset: off, size: Number(v.getBigUint64(off + 24, true)) });
    if (type === 'done' || type === 'next') return out;
    off = next;
  }
}
const find = (b: Uint8Array, type: string, nth = 0) =>
  sections(b).filter((s) => s.type === type)[nth]!;
const setLe32 = (b: Uint8Array, off: number, x: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(off, x >>> 0, true);
const le32 = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);
/** Recompute the Adler-32 stored right after `len` bytes at `at`. */
const fixAdler = (b: Uint8Array, at: number, len: number) =>
  setLe32(b, at + len, adler32(b.subarray(at, at + len)));

/** A single-segment image in memory, patched. */
function patched(name: string, patch: (b: Uint8Array) => void) {
  const first = expected(name).first;
  const b = new Uint8Array(fs.readFileSync(path.join(dir, first)));
  patch(b);
  const resolver = new MapResolver([[first, new MemorySource(b, first)]]);
  return () =>
    openImage(resolver.resolve(first)!.source, createOpenContext(resolver, first)) as EwfImage;
}

function expectError(fn: () => unknown, structure: string): void {
  const e = engineError(fn);
  expect({ kind: e.kind, structure: e.structure }).toEqual({ kind: 'corrupt', structure });
}

describe('damaged EWF', () => {
  test('without its file header signature the file is raw', () => {
    const open1 = patched('best128', (b) => void (b[0] = 0x58));
    // Without its signature the file is not EWF at all; forced, it is corrupt.
    expect(open1().format).toBe('raw');
  });

  test('segment number: a later segment opened first is a caller error', () =>
    expect(engineError(patched('best128', (b) => void (b[9] = 5))).kind).toBe('EINVAL'));

  test('segment number out of order in the set', () => {
    const exp = expected('fast');
    const second = new Uint8Array(fs.readFileSync(path.join(dir, exp.segments[1]!)));
    second[9] = 3;
    const files = [
      [exp.segments[0]!, new NodeFileSource(path.join(dir, exp.segments[0]!))],
      [exp.segments[1]!, new MemorySource(second, exp.segments[1])],
    ] as const;
    const resolver = new MapResolver(files);
    expectError(
      () => openImage(files[0][1], createOpenContext(resolver, exp.first)),
      'EWF file header',
    );
  });

  test('section descriptor checksum', () =>
    expectError(
      patched('best128', (b) => void (b[find(b, 'volume').offset + 72]! ^= 1)),
      'EWF section descriptor',
    ));

  test('next section offset pointing backwards (checksum recomputed)', () =>
    expectError(
      patched('best128', (b) => {
        const s = find(b, 'volume');
        setLe32(b, s.offset + 16, 13);
        setLe32(b, s.offset + 20, 0);
        fixAdler(b, s.offset, 72);
      }),
      'EWF section descriptor',
    ));

  test('volume checksum', () =>
    expectError(
      patched('best128', (b) => void (b[find(b, 'volume').offset + 76 + 8]! ^= 1)),
      'EWF volume section',
    ));

  test('sectors per chunk not a power of two (checksum recomputed)', () =>
    expectError(
      patched('best128', (b) => {
        const at = find(b, 'volume').offset + 76;
        setLe32(b, at + 8, 100);
        fixAdler(b, at, 1048);
      }),
      'EWF volume section',
    ));

  test('hash section checksum', () =>
    expectError(
      patched('best128', (b) => void (b[find(b, 'hash').offset + 76]! ^= 1)),
      'EWF hash section',
    ));

  test('table header checksum', () =>
    expectError(
      patched('best128', (b) => void (b[find(b, 'table').offset + 76]! ^= 1)),
      'EWF table section',
    ));

  test('table entries checksum: table2 is used; both damaged: corrupt on read', () => {
    const exp = expected('best128');
    const entry = (b: Uint8Array, type: string) => find(b, type).offset + 76 + 24;
    const one = patched('best128', (b) => void (b[entry(b, 'table')]! ^= 1));
    expect(hashImage(one())).toBe(exp.sha256);
    const both = patched('best128', (b) => {
      b[entry(b, 'table')]! ^= 1;
      b[entry(b, 'table2')]! ^= 1;
    });
    expectError(() => both().readAt(0, 512), 'EWF table section');
  });

  test('compressed chunk data: corrupt, never wrong bytes', () => {
    const image = patched('best128', (b) => {
      const t = find(b, 'table').offset + 76;
      const base = Number(new DataView(b.buffer).getBigUint64(t + 8, true));
      const first = base + (le32(b, t + 24) & 0x7fffffff);
      b[first + 40]! ^= 0x55;
    });
    expectError(() => image().readAt(0, 512), 'EWF chunk');
  });

  test('uncompressed chunk data: Adler-32 mismatch', () => {
    const exp = expected('none');
    const b = new Uint8Array(fs.readFileSync(path.join(dir, exp.first)));
    const t = find(b, 'table').offset + 76;
    const base = Number(new DataView(b.buffer).getBigUint64(t + 8, true));
    const chunk = le32(b, t + 24);
    expect(chunk & 0x80000000).toBe(0); // stored uncompressed
    b[base + chunk + 100]! ^= 1;
    const files = exp.segments.map(
      (s, i) =>
        [s, i === 0 ? new MemorySource(b, s) : new NodeFileSource(path.join(dir, s))] as const,
    );
    const resolver = new MapResolver(files);
    const image = openImage(files[0]![1], createOpenContext(resolver, exp.first));
    expectError(() => image.readAt(0, 512), 'EWF chunk');
  });
});

test('bounded mutation: 300 single-byte flips of best128.E01 give EngineErrors or data, never a crash', () => {
  const exp = expected('best128');
  const good = new Uint8Array(fs.readFileSync(path.join(dir, exp.first)));
  const secs = sections(good);
  // Descriptors and the small sections (header, volume, table headers, hash, digest).
  const spots = secs.flatMap((s) => [s.offset, s.offset + 76]);
  const rnd = prng(0xe0f);
  for (let i = 0; i < 300; i++) {
    const b = good.slice();
    const at = spots[i % spots.length]! + Math.floor(rnd() * 120);
    b[at]! ^= 1 + Math.floor(rnd() * 255);
    try {
      const open1 = patched('best128', (x) => x.set(b));
      const image = open1();
      image.readAt(0, Math.min(2 * MiB, image.size));
      image.readAt(image.size - 4096, 4096);
    } catch (e) {
      if (!(e instanceof EngineError)) throw new Error(`byte ${at}: ${String(e)}`, { cause: e });
    }
  }
});
