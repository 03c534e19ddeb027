// Every VHD and VHDX image built by fixtures/build-vhd.sh, read through the engine and
// compared with what independent tools say about the same file: the sha256 of `qemu-img
// convert -O raw`, `qemu-img info`'s virtual size, and libvhdi's (pyvhdi) identifier, disk
// type and media bytes — for the differencing VHD, which QEMU cannot read with its parent,
// libvhdi is the only oracle.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import {
  createOpenContext,
  detectFormat,
  openImage,
  readTail,
} from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import type { VhdxImage } from '../../src/engine/formats/vhdx/image.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { readHead } from '../../src/engine/io/block-source.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, prng } from './helpers.js';

interface VhdExpected {
  info: { 'virtual-size': number; format: string };
  sha256: string | null;
  vhdi: {
    media_size: number;
    identifier: string;
    disk_type: string;
    parent_identifier: string | null;
    parent_filename: string | null;
  };
  vhdi_sha256: string;
  vhdi_mib_sha256: string[];
}

let dir: string;
beforeAll(() => {
  dir = ensureFixture('vhd');
});

const expected = (name: string): VhdExpected =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.json`), 'utf8')) as VhdExpected;
const open = (name: string): DiskImage => openNodeImage(path.join(dir, name)).image;

const VHD = [
  'dyn.vhd',
  'dyn-force.vhd',
  'fixed.vhd',
  'fixed-force.vhd',
  'odd.vhd',
  'odd-force.vhd',
];
const VHDX = ['dyn.vhdx', 'fixed.vhdx', 'b1m.vhdx', 'b32m.vhdx', 'nozero.vhdx'];

describe.each([...VHD, ...VHDX])('%s', (name) => {
  test('format detected, size and sha256 equal qemu-img (and libvhdi)', () => {
    const exp = expected(name);
    const image = open(name);
    expect(image.format).toBe(exp.info.format);
    expect(image.size).toBe(exp.info['virtual-size']);
    expect(image.size).toBe(exp.vhdi.media_size);
    const sha = hashImage(image);
    expect(sha).toBe(exp.sha256);
    expect(sha).toBe(exp.vhdi_sha256);
  });

  test('identifier and disk type agree with libvhdi', () => {
    const { vhdi } = expected(name);
    const info = open(name).info;
    // libvhdi's identifier is the footer's unique id (VHD) or the DataWriteGuid (VHDX).
    expect(name.endsWith('.vhdx') ? info.dataWriteGuid : info.uuid).toBe(vhdi.identifier);
    expect(info.diskType).toBe(vhdi.disk_type);
  });
});

describe('QEMU size rule (block/vpc.c)', () => {
  test.each([
    ['dyn.vhd', 'qemu', 'chs'],
    ['fixed.vhd', 'qemu', 'chs'],
    ['odd.vhd', 'qemu', 'chs'],
    ['dyn-force.vhd', 'qem2', 'current-size'],
    ['fixed-force.vhd', 'qem2', 'current-size'],
    ['odd-force.vhd', 'qem2', 'current-size'],
  ])('%s: creator %s sizes by %s', (name, creator, rule) => {
    const info = open(name).info;
    expect(info.creatorApp).toBe(creator);
    expect(info.sizeRule).toBe(rule);
    // Without force_size the CHS geometry differs from the 40 MiB / 10,000,000-byte source.
    const source = name.startsWith('odd') ? 10000000 : 40 * MiB;
    if (rule === 'chs') expect(expected(name).info['virtual-size']).not.toBe(source);
  });
});

describe('random reads equal the same ranges of disk.raw', () => {
  const SAME_AS_SOURCE = ['dyn-force.vhd', 'fixed-force.vhd', ...VHDX];
  test.each(SAME_AS_SOURCE)('%s: 200 unaligned ranges', (name) => {
    const raw = new NodeFileSource(path.join(dir, 'disk.raw'));
    const image = open(name);
    const rnd = prng(0x5d + name.length);
    for (let i = 0; i < 200; i++) {
      const length = 1 + Math.floor(rnd() * (i % 4 === 0 ? 5 * MiB : 40000));
      const offset = Math.floor(rnd() * (image.size - length));
      const got = Buffer.from(image.readAt(offset, length));
      if (!got.equals(Buffer.from(raw.readAt(offset, length)))) {
        throw new Error(`${name}: ${offset}+${length} differs from disk.raw`);
      }
    }
    raw.close();
  });
});

describe('differencing VHD (libvhdi is the oracle)', () => {
  test('reads through its parent equal libvhdi with the parent set', () => {
    const exp = expected('diff.vhd');
    const image = open('diff.vhd');
    expect(image.size).toBe(exp.vhdi.media_size);
    expect(image.info.diskType).toBe('differencing');
    expect(image.info.uuid).toBe(exp.vhdi.identifier);
    expect(image.info.parentUuid).toBe(exp.vhdi.parent_identifier);
    expect(image.backing?.info.uuid).toBe(exp.vhdi.parent_identifier);
    expect(image.backingFile).toBe('.\\dyn-force.vhd');
    expect(hashImage(image)).toBe(exp.vhdi_sha256);
  });

  test('sectors follow the bitmap: set bits from the child, clear bits from the parent', () => {
    const child = open('diff.vhd');
    const parent = open('dyn-force.vhd');
    const sector = (img: DiskImage, s: number) => Buffer.from(img.readAt(s * 512, 512));
    // The build script's writes: block 0 sectors 1-3 = 0x11, 9 = 0x22; block 5's last = 0x44.
    expect(sector(child, 2).every((b) => b === 0x11)).toBe(true);
    expect(sector(child, 9).every((b) => b === 0x22)).toBe(true);
    expect(sector(child, 0).equals(sector(parent, 0))).toBe(true);
    expect(sector(child, 4).equals(sector(parent, 4))).toBe(true);
    expect(sector(child, 6 * 4096 - 1).every((b) => b === 0x44)).toBe(true);
    // Block 2 is allocated with a clear bitmap over 0xEE bytes: every sector is the parent's.
    expect(
      Buffer.from(child.readAt(4 * MiB, 2 * MiB)).equals(
        Buffer.from(parent.readAt(4 * MiB, 2 * MiB)),
      ),
    ).toBe(true);
  });

  test('missing parent: ENOENT naming the locator path', () => {
    const e = engineError(() => open('orphan/diff-noparent.vhd'));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe('.\\dyn-force.vhd');
  });

  test('skipBacking opens it; reads that need the parent throw ENOENT', () => {
    const file = new NodeFileSource(path.join(dir, 'orphan/diff-noparent.vhd'));
    const resolver = new MapResolver([['diff-noparent.vhd', file]]);
    const ctx = createOpenContext(resolver, 'diff-noparent.vhd', { skipBacking: true });
    const image = openImage(file, ctx);
    expect(image.backingFile).toBe('.\\dyn-force.vhd');
    expect(Buffer.from(image.readAt(2 * MiB, 4096)).every((b) => b === 0x33)).toBe(true);
    expect(engineError(() => image.readAt(0, 512)).kind).toBe('ENOENT');
  });

  test('a parent whose unique id differs from the one recorded is refused', () => {
    const files: [string, NodeFileSource][] = [
      ['diff.vhd', new NodeFileSource(path.join(dir, 'diff.vhd'))],
      ['dyn-force.vhd', new NodeFileSource(path.join(dir, 'fixed-force.vhd'))], // same name, other disk
    ];
    const resolver = new MapResolver(files);
    const e = engineError(() => openImage(files[0]![1], createOpenContext(resolver, 'diff.vhd')));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'VHD dynamic header',
    });
  });

  test('in the browser the parent is found among the supplied files by its name', () => {
    const files: [string, NodeFileSource][] = [
      ['diff.vhd', new NodeFileSource(path.join(dir, 'diff.vhd'))],
      ['dyn-force.vhd', new NodeFileSource(path.join(dir, 'dyn-force.vhd'))],
    ];
    const resolver = new MapResolver(files);
    const image = openImage(files[0]![1], createOpenContext(resolver, 'diff.vhd'));
    expect(hashImage(image)).toBe(expected('diff.vhd').vhdi_sha256);
  });
});

describe('detection by content', () => {
  test.each([...VHD, ...VHDX])('%s', (name) => {
    const file = new NodeFileSource(path.join(dir, name));
    const head = readHead(file, 0, 65536);
    const format = expected(name).info.format;
    expect(detectFormat(head, file.size, readTail(file)).name).toBe(format);
    // A fixed VHD starts with guest data: only its footer, at the end, says what it is.
    if (name.startsWith('fixed') && name.endsWith('.vhd')) {
      expect(detectFormat(head, file.size).name).toBe('raw');
    }
    file.close();
  });
});

describe('differencing VHDX (written from [MS-VHDX] by the build script; libvhdi is the oracle)', () => {
  test('every MiB equals libvhdi with the parent set, except the ZERO block', () => {
    const exp = expected('diff.vhdx');
    const image = open('diff.vhdx');
    expect(image.size).toBe(exp.vhdi.media_size);
    expect(image.info.diskType).toBe('differencing');
    expect(image.info.dataWriteGuid).toBe(exp.vhdi.identifier);
    expect(image.backing?.info.dataWriteGuid).toBe(exp.vhdi.parent_identifier);
    expect(image.backingFile).toBe('.\\dyn.vhdx');
    exp.vhdi_mib_sha256.forEach((want, i) => {
      const mib = image.readAt(i * MiB, MiB);
      // Block 2 is PAYLOAD_BLOCK_ZERO: zeros by [MS-VHDX] §2.5.1.1; libvhdi shows the parent.
      if (i === 2) expect(mib.every((b) => b === 0)).toBe(true);
      else expect(sha256(mib), `MiB ${i}`).toBe(want);
    });
  });

  test('block states and sector bitmap (LSB first) as the build script wrote them', () => {
    const child = open('diff.vhdx') as VhdxImage;
    const parent = open('dyn.vhdx');
    expect([0, 1, 2, 3, 4, 5, 7].map((b) => child.payloadState(b))).toEqual([
      'PARTIALLY_PRESENT',
      'FULLY_PRESENT',
      'ZERO',
      'PARTIALLY_PRESENT',
      'NOT_PRESENT',
      'PARTIALLY_PRESENT',
      'UNDEFINED',
    ]);
    const sector = (img: DiskImage, s: number) => Buffer.from(img.readAt(s * 512, 512));
    expect(sector(child, 3).every((b) => b === 0x11)).toBe(true);
    expect(sector(child, 9).every((b) => b === 0x22)).toBe(true);
    expect(sector(child, 8).equals(sector(parent, 8))).toBe(true);
    expect(sector(child, 6 * 2048 - 1).every((b) => b === 0x44)).toBe(true);
    expect(
      Buffer.from(child.readAt(3 * MiB, MiB)).equals(Buffer.from(parent.readAt(3 * MiB, MiB))),
    ).toBe(true);
  });

  test('missing parent: ENOENT naming the locator path', () => {
    const e = engineError(() => open('orphan/diff-noparent.vhdx'));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe('.\\dyn.vhdx');
  });

  test('a parent whose DataWriteGuid differs from parent_linkage is refused', () => {
    const files: [string, NodeFileSource][] = [
      ['diff.vhdx', new NodeFileSource(path.join(dir, 'diff.vhdx'))],
      ['dyn.vhdx', new NodeFileSource(path.join(dir, 'fixed.vhdx'))], // another disk, same name
    ];
    const resolver = new MapResolver(files);
    const e = engineError(() => openImage(files[0]![1], createOpenContext(resolver, 'diff.vhdx')));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'VHDX parent locator',
    });
  });
});
