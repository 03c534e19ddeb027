// Damaged NTFS structures: each case patches one field of the good image of
// fixtures/build-ntfs.sh (through a patching BlockSource, the file is never written) and
// asserts the error's kind and the structure it names. The test finds fields by walking
// the on-disk structures itself (boot sector, $MFT runlist, attribute headers).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { NtfsFileSystem } from '../../src/engine/fs/ntfs/filesystem.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture, repoRoot, sharedTestdata } from '../helpers/fixtures.js';

let image: NodeFileSource;
let ino: (p: string) => number;

beforeAll(async () => {
  const dir = ensureFixture('ntfs');
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-wasm.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await ntfsDriver.load();
  image = new NodeFileSource(path.join(dir, 'ntfs.img'));
  const walk = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'ntfs3g.json'), 'utf8')) as {
    path: string;
    ino: number;
  }[];
  ino = (p) => walk.find((e) => e.path === p)!.ino;
});

/** The image with some bytes replaced. */
class Patched implements BlockSource {
  readonly size: number;
  private readonly patches: { at: number; bytes: Uint8Array }[] = [];
  constructor(private readonly base: BlockSource) {
    this.size = base.size;
  }
  set(at: number, bytes: number[]): this {
    this.patches.push({ at, bytes: new Uint8Array(bytes) });
    return this;
  }
  readAt(offset: number, length: number): Uint8Array {
    const out = this.base.readAt(offset, length).slice();
    for (const p of this.patches) {
      for (let i = 0; i < p.bytes.length; i++) {
        const k = p.at + i - offset;
        if (k >= 0 && k < length) out[k] = p.bytes[i]!;
      }
    }
    return out;
  }
}

const le16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const le32 = (b: Uint8Array, o: number) => (le16(b, o) | (le16(b, o + 2) << 16)) >>> 0;
const leN = (b: Uint8Array, o: number, n: number, signed: boolean) => {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
  if (signed && n > 0 && b[o + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return Number(v);
};

/** Cluster size and the record size from the boot sector. */
function geometry(): { cs: number; rs: number; mftLcn: number } {
  const b = image.readAt(0, 512);
  const cs = le16(b, 0x0b) * b[0x0d]!;
  const raw = (b[0x40]! << 24) >> 24;
  return { cs, rs: raw > 0 ? raw * cs : 2 ** -raw, mftLcn: leN(b, 0x30, 8, false) };
}

/** A record with its update sequence undone (positions match the disk except stride ends). */
function fixedUp(at: number, size: number): Uint8Array {
  const b = image.readAt(at, size).slice();
  const usa = le16(b, 4);
  for (let i = 1; i < le16(b, 6); i++) b.set(b.subarray(usa + 2 * i, usa + 2 * i + 2), i * 512 - 2);
  return b;
}

interface Attr {
  type: number;
  pos: number;
  nonResident: boolean;
}

function attributes(rec: Uint8Array): Attr[] {
  const out: Attr[] = [];
  for (let pos = le16(rec, 0x14); le32(rec, pos) !== 0xffffffff; pos += le32(rec, pos + 4)) {
    out.push({ type: le32(rec, pos), pos, nonResident: rec[pos + 8] !== 0 });
  }
  return out;
}

/** Runs of the non-resident attribute at `a`: [vcn, lcn | undefined, length]. */
function runs(rec: Uint8Array, a: Attr): [number, number | undefined, number][] {
  const out: [number, number | undefined, number][] = [];
  let p = a.pos + le16(rec, a.pos + 32);
  let vcn = 0;
  let lcn = 0;
  while (rec[p]) {
    const l = rec[p]! & 15;
    const o = rec[p]! >> 4;
    const len = leN(rec, p + 1, l, true);
    if (o) lcn += leN(rec, p + 1 + l, o, true);
    out.push([vcn, o ? lcn : undefined, len]);
    vcn += len;
    p += 1 + l + o;
  }
  return out;
}

/** Device offset of MFT record `n`, through $MFT's own runlist. */
function recordOffset(n: number): number {
  const { cs, rs, mftLcn } = geometry();
  const rec0 = fixedUp(mftLcn * cs, rs);
  const data = attributes(rec0).find((a) => a.type === 0x80)!;
  const byte = n * rs;
  for (const [vcn, lcn, len] of runs(rec0, data)) {
    if (byte < (vcn + len) * cs) return lcn! * cs + byte - vcn * cs;
  }
  throw new Error(`record ${n} is not mapped`);
}

function record(p: string): { at: number; rec: Uint8Array; n: number } {
  const n = ino(p);
  const at = recordOffset(n);
  return { at, n, rec: fixedUp(at, geometry().rs) };
}

const mount = (src: BlockSource): NtfsFileSystem => ntfsDriver.mount(src, { readonly: true });

function failure(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

/** A byte that is not one of the two a stride's update sequence number covers. */
const notAtStrideEnd = (recordPos: number) => expect(recordPos % 512).toBeLessThan(510);

test('boot sector: OEM id, bytes per sector, MFT record size', () => {
  for (const [at, bytes] of [
    [3, [0x4e, 0x54, 0x46, 0x58]],
    [0x0b, [0x00, 0x03]],
    [0x40, [0x00]],
  ] as const) {
    const e = failure(() => mount(new Patched(image).set(at, [...bytes])));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('NTFS boot sector');
    expect(e.offset).toBe(at);
  }
});

test('MFT record whose update sequence does not match (torn write)', () => {
  const { at, n } = record('/hello.txt');
  const b = image.readAt(at + 510, 2);
  const fsys = mount(new Patched(image).set(at + 510, [b[0]! ^ 0xff, b[1]!]));
  const e = failure(() => fsys.lstat('/hello.txt'));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS MFT record ${n} update sequence`);
  expect(e.offset).toBe(at + 510);
});

test('attribute whose length runs past the record', () => {
  const { at, rec, n } = record('/hello.txt');
  const first = attributes(rec)[0]!;
  notAtStrideEnd(first.pos + 4);
  const fsys = mount(new Patched(image).set(at + first.pos + 4, [0x00, 0x10, 0x00, 0x00]));
  const e = failure(() => fsys.lstat('/hello.txt'));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS MFT record ${n} attribute`);
  expect(e.offset).toBe(at + first.pos + 4);
});

/** Position and new bytes that make the first run's LCN delta the largest positive value. */
function hugeLcn(rec: Uint8Array, a: Attr): { pos: number; bytes: number[] } {
  const mp = a.pos + le16(rec, a.pos + 32);
  const l = rec[mp]! & 15;
  const o = rec[mp]! >> 4;
  return { pos: mp + 1 + l, bytes: [...Array<number>(o - 1).fill(0xff), 0x7f] };
}

test('data run past the end of the volume', () => {
  const { at, rec, n } = record('/sizes/size-65536');
  const data = attributes(rec).find((a) => a.type === 0x80 && a.nonResident)!;
  const lcn = hugeLcn(rec, data);
  notAtStrideEnd(lcn.pos + lcn.bytes.length - 1);
  const fsys = mount(new Patched(image).set(at + lcn.pos, lcn.bytes));
  const e = failure(() => fsys.read('/sizes/size-65536', 0, 10));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS MFT record ${n} runlist`);
});

test('index entry of length 0 in an $INDEX_ROOT', () => {
  const { at, rec, n } = record('/attrs');
  const root = attributes(rec).find((a) => a.type === 0x90)!;
  const value = root.pos + le16(rec, root.pos + 20);
  const entry = value + 16 + le32(rec, value + 16);
  notAtStrideEnd(entry + 8);
  const fsys = mount(new Patched(image).set(at + entry + 8, [0, 0]));
  const e = failure(() => fsys.readdir('/attrs'));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS directory ${n} index entry`);
  expect(e.offset).toBe(at + entry + 8);
});

test('INDX block of a large directory: update sequence and magic', () => {
  const { rec, n } = record('/big');
  const alloc = attributes(rec).find((a) => a.type === 0xa0)!;
  const [, lcn] = runs(rec, alloc)[0]!;
  const block = lcn! * geometry().cs;
  const torn = image.readAt(block + 510, 1)[0]! ^ 0xff;
  let e = failure(() => mount(new Patched(image).set(block + 510, [torn])).readdir('/big'));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS directory ${n} INDX update sequence`);
  e = failure(() => mount(new Patched(image).set(block, [0x49, 0x4e, 0x44, 0x59])).readdir('/big'));
  expect(e.structure).toBe(`NTFS directory ${n} INDX header`);
  expect(e.offset).toBe(block);
});

test("$MFT's own runlist past the volume refuses the mount", () => {
  const { cs, rs, mftLcn } = geometry();
  const at = mftLcn * cs;
  const rec0 = fixedUp(at, rs);
  const data = attributes(rec0).find((a) => a.type === 0x80)!;
  // $MFT starts at a small LCN (one delta byte): stretch its first run's length instead.
  const mp = data.pos + le16(rec0, data.pos + 32);
  const l = rec0[mp]! & 15;
  const e = failure(() =>
    mount(new Patched(image).set(at + mp + 1, [...Array<number>(l - 1).fill(0xff), 0x7f])),
  );
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe('NTFS MFT record 0 runlist');
});

test('LZNT1 stream that refers back before its chunk', () => {
  const { rec, n } = record('/compressed/text.txt');
  const data = attributes(rec).find((a) => a.type === 0x80 && a.nonResident)!;
  const [, lcn] = runs(rec, data)[0]!;
  // The first chunk's first flag byte: all eight tokens become back-references.
  const fsys = mount(new Patched(image).set(lcn! * geometry().cs + 2, [0xff]));
  const e = failure(() => fsys.read('/compressed/text.txt', 0, 100));
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(`NTFS MFT record ${n} compressed data`);
  expect(e.offset).toBe(lcn! * geometry().cs + 3); // the first token, after header and flags
});

test('an EFS-encrypted $DATA attribute is locked, not read', () => {
  const { at, rec } = record('/sizes/size-4096');
  const data = attributes(rec).find((a) => a.type === 0x80)!;
  const flags = le16(rec, data.pos + 12) | 0x4000;
  const fsys = mount(new Patched(image).set(at + data.pos + 12, [flags & 0xff, flags >> 8]));
  const e = failure(() => fsys.read('/sizes/size-4096', 0, 10));
  expect(e.kind).toBe('locked');
  expect(e.feature).toContain('EFS');
});

test('a device shorter than the volume fails reads with an I/O error, not garbage', () => {
  const half: BlockSource = {
    size: 64 << 20,
    readAt: (o, l) => {
      if (o + l > 64 << 20) throw new EngineError('io', `read past the end at ${o}`, { offset: o });
      return image.readAt(o, l);
    },
  };
  const fsys = mount(half);
  const e = failure(() => fsys.read('/large/large.bin', 0, 32 << 20));
  expect(e.kind).toBe('io');
});

/** A small deterministic PRNG (xorshift32), so a failing case can be replayed by seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('mutation fuzzing: damaged metadata gives EngineErrors, never a trap or a hang', () => {
  // ntfs-rs testfs1 (2 MiB, 512-byte clusters): mutate its MFT and index blocks.
  const good = new Uint8Array(fs.readFileSync(path.join(sharedTestdata, 'ntfs-rs/testfs1')));
  const mftStart = le16(good, 0x0b) * good[0x0d]! * leN(good, 0x30, 8, false);
  const cases = 120;
  const kinds = new Map<string, number>();
  for (let c = 0; c < cases; c++) {
    const next = rng(1000 + c);
    const img = good.slice();
    for (let k = 1 + Math.floor(next() * 4); k > 0; k--) {
      // Mostly the live part of a record (header and first attributes), else anywhere.
      const at =
        next() < 0.8
          ? mftStart + Math.floor(next() * 600) * 1024 + Math.floor(next() * 0x100)
          : Math.floor(next() * img.length);
      img[at] = Math.floor(next() * 256);
    }
    const outcome = exercise(new MemorySource(img, `fuzz-${c}`));
    kinds.set(outcome, (kinds.get(outcome) ?? 0) + 1);
  }
  expect([...kinds.keys()].filter((k) => k.includes('trap'))).toEqual([]);
  expect(kinds.get('ok') ?? 0).toBeLessThan(cases);
});

/** Mounts and walks everything; returns 'ok' or the first error's kind. */
function exercise(src: BlockSource): string {
  try {
    const f = mount(src);
    const visit = (dir: string, depth: number) => {
      for (const e of f.readdir(dir)) {
        const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
        const st = f.lstat(p);
        if (st.type === 'file') f.read(p, 0, Math.min(st.size, 1 << 20));
        if (st.type === 'symlink') f.readlink(p);
        f.streams(p);
        if (st.type === 'directory' && depth < 4) visit(p, depth + 1);
      }
    };
    f.info();
    f.statvfs();
    visit('/', 0);
    f.lstat('/EMPTY-FILE');
    return 'ok';
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return e.kind === 'corrupt' && e.structure?.includes('WebAssembly trap')
      ? `trap: ${e.structure}`
      : e.kind;
  }
}
