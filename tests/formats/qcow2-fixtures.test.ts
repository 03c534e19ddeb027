// Every qcow2 variant built by fixtures/build-qcow2.sh, read through the engine and compared
// with what qemu-img says about the same file: the sha256 of `qemu-img convert -O raw`, the
// fields of `qemu-img info --output=json`, and the snapshot contents of `convert -l`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import { Qcow2Image } from '../../src/engine/formats/qcow2/image.js';
import { qcow2Info } from '../../src/engine/formats/qcow2/info.js';
import { createOpenContext, openImage, peekImage } from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, prng, readExpected } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('qcow2');
});

const open = (name: string): DiskImage => openNodeImage(path.join(dir, `${name}.qcow2`)).image;

/** Images whose virtual disk qemu-img converted to raw. */
const READABLE = [
  'v2', 'v3', 'c512', 'c4k', 'c64k', 'c2m', 'zlib', 'zlib-c512', 'zstd', 'zstd-c2m',
  'extl2', 'extl2-zlib', 'extl2-ov', 'lazy', 'datafile', 'datafile-raw', 'zero',
  'base', 'mid', 'top', 'small-ov', 'small-raw-ov', 'snap',
]; // prettier-ignore

/** Converted from disk.raw unchanged: any byte range equals the same range of disk.raw. */
const CONVERSIONS = [
  'v2', 'v3', 'c512', 'c4k', 'c64k', 'c2m', 'zlib', 'zlib-c512', 'zstd', 'zstd-c2m',
  'extl2', 'extl2-zlib', 'lazy', 'datafile', 'datafile-raw',
]; // prettier-ignore

describe.each(READABLE)('%s.qcow2', (name) => {
  test('virtual disk sha256 equals qemu-img convert -O raw', () => {
    const exp = readExpected(dir, name);
    const image = open(name);
    expect(image.format).toBe(exp.info.format);
    expect(image.size).toBe(exp.info['virtual-size']);
    expect(hashImage(image)).toBe(exp.sha256);
  });

  test('info agrees with qemu-img info', () => {
    const { info: q } = readExpected(dir, name);
    const data = q['format-specific'].data;
    const info = open(name).info;
    expect(info.clusterSize).toBe(q['cluster-size']);
    expect(info.compat).toBe(data.compat);
    expect(info.compressionType).toBe(data['compression-type']);
    expect(info.refcountBits).toBe(data['refcount-bits']);
    expect(info.backingFile).toBe(q['backing-filename']);
    expect(info.backingFormat).toBe(q['backing-filename-format']);
    expect(info.dataFile).toBe(data['data-file']);
    expect(info.dataFileRaw).toBe(data['data-file-raw']);
    expect(info.encrypted).toBe(false);
    // compat=0.10 images have no feature bits, and qemu-img omits them.
    if ('lazy-refcounts' in data) expect(info.lazyRefcounts).toBe(data['lazy-refcounts']);
    if ('extended-l2' in data) expect(info.extendedL2).toBe(data['extended-l2']);
    if ('corrupt' in data) expect(info.corrupt).toBe(data.corrupt);
    if (q['dirty-flag'] !== undefined) expect(info.dirty).toBe(q['dirty-flag']);
  });
});

describe('random reads', () => {
  test('disk.raw is the source qemu-img converted (its sha256 is v3 converted back)', () => {
    expect(sha256(new Uint8Array(fs.readFileSync(path.join(dir, 'disk.raw'))))).toBe(
      readExpected(dir, 'v3').sha256,
    );
  });

  test.each(CONVERSIONS)('%s: 300 unaligned ranges equal the same ranges of disk.raw', (name) => {
    const raw = new NodeFileSource(path.join(dir, 'disk.raw'));
    const image = open(name);
    const rnd = prng(0x9c0 + name.length);
    for (let i = 0; i < 300; i++) {
      const length = 1 + Math.floor(rnd() * (i % 3 === 0 ? 3 * MiB : 70000));
      const offset = Math.floor(rnd() * (image.size - length));
      const got = image.readAt(offset, length);
      if (!Buffer.from(got).equals(Buffer.from(raw.readAt(offset, length)))) {
        throw new Error(`${name}: bytes differ in ${offset}+${length}`);
      }
    }
    raw.close();
  });
});

describe('backing chains', () => {
  test('base <- mid (relative, v2) <- top (absolute) opens the whole chain', () => {
    const top = open('top');
    expect(top.backingFile).toBe(path.join(dir, 'mid.qcow2'));
    expect(top.backing?.backingFile).toBe('base.qcow2');
    expect(top.backing?.info.version).toBe(2);
    expect(top.backing?.backing?.backing).toBeUndefined();
    expect(top.backing?.backing?.size).toBe(readExpected(dir, 'base').info['virtual-size']);
  });

  test('the browser resolver finds the chain by base name among supplied files', () => {
    const files = ['top', 'mid', 'base'].map((n): [string, NodeFileSource] => [
      `${n}.qcow2`,
      new NodeFileSource(path.join(dir, `${n}.qcow2`)),
    ]);
    const resolver = new MapResolver(files);
    const image = openImage(
      resolver.resolve('top.qcow2')!.source,
      createOpenContext(resolver, 'top.qcow2'),
    );
    expect(hashImage(image)).toBe(readExpected(dir, 'top').sha256);
  });

  test('a missing backing file is ENOENT naming it, in Node and in the browser', () => {
    const e = engineError(() => open('missing'));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe(readExpected(dir, 'missing').info['backing-filename']);
    const resolver = new MapResolver([
      ['top.qcow2', new NodeFileSource(path.join(dir, 'top.qcow2'))],
      ['mid.qcow2', new NodeFileSource(path.join(dir, 'mid.qcow2'))],
    ]);
    const e2 = engineError(() =>
      openImage(resolver.resolve('top.qcow2')!.source, createOpenContext(resolver, 'top.qcow2')),
    );
    expect(e2.kind).toBe('ENOENT');
    expect(e2.path).toBe('base.qcow2');
  });

  test('skipBacking opens without the backing file; reads that need it throw', () => {
    const resolver = new MapResolver([
      ['missing.qcow2', new NodeFileSource(path.join(dir, 'missing.qcow2'))],
    ]);
    const ctx = createOpenContext(resolver, 'missing.qcow2', { skipBacking: true });
    const image = openImage(resolver.resolve('missing.qcow2')!.source, ctx);
    expect(image.backingFile).toBe('missing-base.qcow2');
    expect(image.size).toBe(readExpected(dir, 'missing').info['virtual-size']);
    expect(engineError(() => image.readAt(0, 512)).kind).toBe('ENOENT');
  });

  test.each(['loop-a', 'loop-b'])(
    '%s: images backing each other are a corrupt backing chain',
    (name) => {
      const e = engineError(() => open(name));
      expect(e.kind).toBe('corrupt');
      expect(e.structure).toBe('backing chain');
    },
  );

  test('a missing external data file is ENOENT naming it', () => {
    const resolver = new MapResolver([
      ['datafile.qcow2', new NodeFileSource(path.join(dir, 'datafile.qcow2'))],
    ]);
    const e = engineError(() =>
      openImage(
        resolver.resolve('datafile.qcow2')!.source,
        createOpenContext(resolver, 'datafile.qcow2'),
      ),
    );
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe(readExpected(dir, 'datafile').info['format-specific'].data['data-file']);
  });
});

describe('snapshots', () => {
  test('listed as qemu-img info lists them', () => {
    const { info } = readExpected(dir, 'snap');
    const image = open('snap');
    expect(image.snapshots?.map((s) => [s.id, s.name, s.vmStateSize])).toEqual(
      info.snapshots!.map((s) => [s.id, s.name, s['vm-state-size']]),
    );
    expect(image.snapshots?.map((s) => Date.parse(s.date))).toEqual(
      info.snapshots!.map((s) => s['date-sec'] * 1000 + Math.floor(s['date-nsec'] / 1e6)),
    );
  });

  test.each(['first', 'second'])(
    'snapshot %s reads as qemu-img convert -l snapshot.name reads it',
    (name) => {
      const exp = readExpected(dir, 'snap').snapshots![name]!;
      const image = open('snap') as Qcow2Image;
      const snap = image.openSnapshot(name);
      // The snapshot keeps the size it was taken at; qemu-img reads it at the current size,
      // zeros past the snapshot's own disk.
      expect(snap.size).toBe(exp.size);
      expect(exp.convert_size).toBe(image.size);
      expect(hashImage(snap)).toBe(exp.sha256);
      const byId = image.openSnapshot(image.snapshots.find((s) => s.name === name)!.id);
      expect(hashImage(byId)).toBe(exp.sha256);
    },
  );

  test('an unknown snapshot is ENOENT', () => {
    expect(engineError(() => (open('snap') as Qcow2Image).openSnapshot('nope')).kind).toBe(
      'ENOENT',
    );
  });
});

describe('encryption', () => {
  test.each(['luks', 'aes'])(
    '%s: open is unsupported naming the method; the head still reports it',
    (method) => {
      const e = engineError(() => open(method));
      expect(e.kind).toBe('unsupported');
      expect(e.feature).toBe(`qcow2 encryption (${method})`);
      const file = new NodeFileSource(path.join(dir, `${method}.qcow2`));
      const { info: q } = readExpected(dir, method);
      const peek = peekImage(file);
      expect(peek.format).toBe('qcow2');
      expect(peek.info.encrypted).toBe(true);
      expect(peek.info.virtualSize).toBe(q['virtual-size']);
      const qemuFormat =
        (q['format-specific'].data.encrypt as { format?: string } | undefined)?.format ?? 'aes';
      expect(qcow2Info(file.readAt(0, 4096))?.encryption).toBe(qemuFormat);
      file.close();
    },
  );
});

describe('100 GiB sparse disk', () => {
  test('virtual size and first 16 MiB match qemu-img; the GPT backup header is at the last sector', () => {
    const exp = readExpected(dir, 'big');
    const image = open('big');
    expect(image.size).toBe(exp.info['virtual-size']);
    expect(hashImage(image, 'sha256', 16 * MiB)).toBe(exp.head16m_sha256);
    const last = image.readAt(image.size - 512, 512);
    expect(Buffer.from(last.subarray(0, 8)).toString('latin1')).toBe('EFI PART');
  });
});
