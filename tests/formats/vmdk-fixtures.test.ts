// Every VMDK built by fixtures/build-vmdk.sh, read through the engine and compared with what
// qemu-img says about the same files: the sha256 of `qemu-img convert -O raw`, the fields of
// `qemu-img info --output=json`, and the format qemu-img detects. Where qemu does not read a
// descriptor as VMware defines it (ZERO/RDONLY extents, createType vmfsThin), the expected
// bytes were assembled by the script with dd from its inputs.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import {
  createOpenContext,
  detectFormat,
  openImage,
  readTail,
} from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import { readHead } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, prng, readExpected } from './helpers.js';

// Built at collection time: which images have qemu-img info decides the test list.
const dir = ensureFixture('vmdk');

const open = (name: string): DiskImage => openNodeImage(path.join(dir, `${name}.vmdk`)).image;

interface VmdkExpected {
  info: null | {
    'virtual-size': number;
    format: string;
    'backing-filename'?: string;
    'format-specific': {
      data: {
        cid: number;
        'parent-cid': number;
        'create-type': string;
        extents: {
          'virtual-size': number;
          filename: string;
          'cluster-size'?: number;
          compressed?: boolean;
          format: string;
        }[];
      };
    };
  };
  sha256: string | null;
  size?: number;
  parentCid?: string;
}
const expected = (name: string) => readExpected(dir, name) as unknown as VmdkExpected;

/** Images qemu-img (or, for vmfsthin and custom, dd) turned into raw bytes. */
const READABLE = [
  'sparse', 'stream', 'stream-footer', 'flat', 'lsilogic', 'split-sparse', 'split-flat',
  'vmfs', 'vmfsthin', 'custom', 'base', 'child', 'grandchild', 'zeroed', 'badcid',
]; // prettier-ignore

/** Converted from disk.raw unchanged. */
const CONVERSIONS = ['sparse', 'stream', 'stream-footer', 'flat', 'lsilogic', 'vmfs', 'vmfsthin'];

describe.each(READABLE)('%s.vmdk', (name) => {
  test('virtual disk sha256 equals the raw conversion, size equals qemu-img info', () => {
    const exp = expected(name);
    const image = open(name);
    expect(image.format).toBe('vmdk');
    const size = exp.info?.['virtual-size'] ?? exp.size ?? expected('child').info!['virtual-size'];
    expect(image.size).toBe(size);
    expect(hashImage(image)).toBe(exp.sha256);
  }, 60_000);
});

describe.each(READABLE.filter((n) => expected(n).info !== null))('%s.vmdk info', (name) => {
  test('agrees with qemu-img info', () => {
    const q = expected(name).info!;
    const data = q['format-specific'].data;
    const image = open(name);
    const info = image.info;
    expect(info.cid).toBe(data.cid);
    expect(info.parentCid).toBe(data['parent-cid']);
    expect(info.createType).toBe(data['create-type']);
    expect(info.backingFile).toBe(q['backing-filename']);
    expect(image.backingFile).toBe(q['backing-filename']);
    const extents = info.extents as string[];
    expect(extents.length).toBe(data.extents.length);
    // Each extent line's size (sectors) is the extent's virtual size in qemu-img info.
    expect(extents.map((l) => Number(l.split(/\s+/)[1]) * 512)).toEqual(
      data.extents.map((e) => e['virtual-size']),
    );
    const sparse = data.extents.find((e) => e['cluster-size'] !== undefined);
    expect(info.grainSize).toBe(sparse?.['cluster-size']);
    expect(info.compressed).toBe(data.extents.some((e) => e.compressed === true));
    expect(info.warnings).toBeUndefined();
  });
});

describe('descriptor facts given by the build script', () => {
  test('lsilogic: adapter type and hardware version of qemu-img create -o', () => {
    const info = open('lsilogic').info;
    expect([info.adapterType, info.hwVersion]).toEqual(['lsilogic', '6']);
  });

  test('vmfs and vmfsThin descriptors: createType, ddb keys and the VMFS extent', () => {
    for (const [name, type] of [
      ['vmfs', 'vmfs'],
      ['vmfsthin', 'vmfsThin'],
    ]) {
      const info = open(name!).info;
      expect([info.createType, info.adapterType, info.hwVersion, info.cid]).toEqual([
        type, 'lsilogic', '14', 0x1234abcd,
      ]); // prettier-ignore
      expect(info.extents).toEqual([`RW ${(64 * MiB) / 512} VMFS "flat-flat.vmdk"`]);
    }
  });

  test('custom: every extent kind in descriptor order', () => {
    const image = open('custom');
    expect(image.info.extents).toEqual([
      'RW 8192 FLAT "custom-b.raw" 8192',
      'RDONLY 2048 ZERO',
      'RDONLY 16384 SPARSE "custom-c.vmdk"',
      'RW 16384 VMFSRAW "custom-a.raw"',
    ]);
  });
});

describe('random reads', () => {
  test.each(CONVERSIONS)('%s: 300 unaligned ranges equal the same ranges of disk.raw', (name) => {
    const raw = new NodeFileSource(path.join(dir, 'disk.raw'));
    const image = open(name);
    const rnd = prng(0x766d + name.length);
    for (let i = 0; i < 300; i++) {
      const length = 1 + Math.floor(rnd() * (i % 3 === 0 ? 3 * MiB : 70000));
      const offset = Math.floor(rnd() * (image.size - length));
      if (
        !Buffer.from(image.readAt(offset, length)).equals(Buffer.from(raw.readAt(offset, length)))
      ) {
        throw new Error(`${name}: bytes differ in ${offset}+${length}`);
      }
    }
    raw.close();
  });

  test.each(['split-sparse', 'split-flat'])(
    '%s: reads across the 2 GiB extent boundaries hold what qemu-io wrote there',
    (name) => {
      const image = open(name);
      // fixtures/build-vmdk.sh: 0x71 × 200000 at 2 GiB - 100000, 0x72 × 8192 at 4 GiB - 4096.
      const a = image.readAt(2048 * MiB - 100010, 200020);
      expect([a[9], a[10], a[200009], a[200010]]).toEqual([0, 0x71, 0x71, 0]);
      expect(a.subarray(10, 200010).every((b) => b === 0x71)).toBe(true);
      const b = image.readAt(4096 * MiB - 4096, 8192);
      expect(b.every((x) => x === 0x72)).toBe(true);
      const end = image.readAt(image.size - 1000, 1000);
      expect(end.every((x) => x === 0x73)).toBe(true);
    },
  );
});

describe('extent files', () => {
  const sources = (names: string[]) =>
    names.map((n): [string, NodeFileSource] => [n, new NodeFileSource(path.join(dir, n))]);
  const splitSparse = [
    'split-sparse.vmdk',
    'split-sparse-s001.vmdk',
    'split-sparse-s002.vmdk',
    'split-sparse-s003.vmdk',
  ];

  test('the browser resolver finds extents by base name among the supplied files', () => {
    const resolver = new MapResolver(sources(splitSparse));
    const image = openImage(
      resolver.resolve('split-sparse.vmdk')!.source,
      createOpenContext(resolver, 'split-sparse.vmdk'),
    );
    expect(image.size).toBe(expected('split-sparse').info!['virtual-size']);
    expect(hashImage(image, 'sha256', 64 * MiB)).toBe(hashImage(open('sparse')));
  });

  test('a missing extent is ENOENT naming the file', () => {
    const resolver = new MapResolver(sources(splitSparse.filter((n) => !n.endsWith('s003.vmdk'))));
    const e = engineError(() =>
      openImage(
        resolver.resolve('split-sparse.vmdk')!.source,
        createOpenContext(resolver, 'split-sparse.vmdk'),
      ),
    );
    expect([e.kind, e.path]).toEqual(['ENOENT', 'split-sparse-s003.vmdk']);
    const flat = new MapResolver(sources(['flat.vmdk']));
    const e2 = engineError(() =>
      openImage(flat.resolve('flat.vmdk')!.source, createOpenContext(flat, 'flat.vmdk')),
    );
    expect([e2.kind, e2.path]).toEqual(['ENOENT', 'flat-flat.vmdk']);
  });

  test('each file is detected as the format qemu-img detects', () => {
    const probes = JSON.parse(
      fs.readFileSync(path.join(dir, 'expected', 'probe.json'), 'utf8'),
    ) as Record<string, string>;
    expect(Object.keys(probes).length).toBeGreaterThan(15);
    for (const [file, format] of Object.entries(probes)) {
      const src = new NodeFileSource(path.join(dir, file));
      const got = detectFormat(readHead(src, 0, 65536), src.size, readTail(src)).name;
      src.close();
      expect(`${file}: ${got}`).toBe(`${file}: ${format}`);
    }
  });
});

describe('delta disks', () => {
  test('base <- child <- grandchild opens the chain by parentFileNameHint', () => {
    const g = open('grandchild');
    expect(g.backingFile).toBe('child.vmdk');
    expect(g.backing?.backingFile).toBe('base.vmdk');
    expect(g.backing?.backing?.backing).toBeUndefined();
    expect(g.info.parentCid).toBe(g.backing?.info.cid);
  });

  test('a parentCID that does not match the parent: read anyway, with a warning', () => {
    const image = open('badcid');
    expect(image.info.parentCid).toBe(parseInt(expected('badcid').parentCid!, 16));
    expect(image.info.parentCid).not.toBe(image.backing?.info.cid);
    expect((image.info.warnings as string[]).length).toBe(1);
  });

  test('a missing parent is ENOENT naming it; skipBacking opens, reads needing it throw', () => {
    const hint = expected('orphan').info!['backing-filename'];
    expect(hint).toBe('missing-base.vmdk');
    const e = engineError(() => open('orphan'));
    expect([e.kind, e.path]).toEqual(['ENOENT', hint]);
    const resolver = new MapResolver([
      ['orphan.vmdk', new NodeFileSource(path.join(dir, 'orphan.vmdk'))],
    ]);
    const ctx = createOpenContext(resolver, 'orphan.vmdk', { skipBacking: true });
    const image = openImage(resolver.resolve('orphan.vmdk')!.source, ctx);
    expect([image.backingFile, image.size]).toEqual([
      hint,
      expected('orphan').info!['virtual-size'],
    ]);
    expect(engineError(() => image.readAt(0, 512)).kind).toBe('ENOENT');
  });
});
