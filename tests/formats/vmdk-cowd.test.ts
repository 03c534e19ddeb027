// VMFS sparse ("COWD") extents, the ESX snapshot deltas before seSparse. No tool here
// writes them, so the test lays one out byte by byte from VMware's "Virtual Disk Format
// 1.1" ("ESX Server Sparse Extent Header": 32-bit fields, 4096-entry grain tables, sector
// offsets, 0 = unallocated) with a known pattern, and checks the engine reads that pattern:
// alone, and as a vmfsSparse delta over a flat parent through a descriptor.

import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { engineError, openBytes, prng } from './helpers.js';

const SECTOR = 512;
const GRAIN_SECTORS = 8; // 4 KiB grains
const GRAIN = GRAIN_SECTORS * SECTOR;
const CAPACITY_SECTORS = 8192; // 4 MiB
const GRAINS = CAPACITY_SECTORS / GRAIN_SECTORS; // 1024, all in one 4096-entry table
const GD_SECTOR = 4;
const GT_SECTOR = 8;
const DATA_SECTOR = GT_SECTOR + (4096 * 4) / SECTOR; // 40
const PARENT_BYTE = 0xee;

const allocated = (i: number) => i % 3 === 0;
const pattern = (i: number) => (i & 0xff) ^ 0x5a;

/** A COWD file: grain i (i % 3 == 0) holds pattern(i), stored in reverse order. */
function buildCowd(): Uint8Array {
  const count = Array.from({ length: GRAINS }, (_, i) => i).filter(allocated).length;
  const file = new Uint8Array((DATA_SECTOR + count * GRAIN_SECTORS) * SECTOR);
  const v = new DataView(file.buffer);
  file.set([0x43, 0x4f, 0x57, 0x44]); // "COWD"
  v.setUint32(4, 1, true); // version
  v.setUint32(8, 3, true); // flags
  v.setUint32(12, CAPACITY_SECTORS, true); // numSectors
  v.setUint32(16, GRAIN_SECTORS, true); // grainSize
  v.setUint32(20, GD_SECTOR, true); // gdOffset
  v.setUint32(24, 1, true); // numGDEntries
  v.setUint32(28, file.length / SECTOR, true); // freeSector
  v.setUint32(GD_SECTOR * SECTOR, GT_SECTOR, true);
  let slot = count - 1;
  for (let i = 0; i < GRAINS; i++) {
    if (!allocated(i)) continue;
    const sector = DATA_SECTOR + slot-- * GRAIN_SECTORS;
    v.setUint32(GT_SECTOR * SECTOR + i * 4, sector, true);
    file.fill(pattern(i), sector * SECTOR, sector * SECTOR + GRAIN);
  }
  return file;
}

/** The bytes the disk must read as; `unallocated` is what a hole reads as. */
function expectedBytes(unallocated: number): Uint8Array {
  const out = new Uint8Array(CAPACITY_SECTORS * SECTOR);
  for (let i = 0; i < GRAINS; i++) {
    out.fill(allocated(i) ? pattern(i) : unallocated, i * GRAIN, (i + 1) * GRAIN);
  }
  return out;
}

function descriptor(lines: string[]): Uint8Array {
  return new Uint8Array(
    Buffer.from(['# Disk DescriptorFile', 'version=1', ...lines, ''].join('\n')),
  );
}

const childDescriptor = (parentCid: string) =>
  descriptor([
    'CID=0badc0de',
    `parentCID=${parentCid}`,
    'createType="vmfsSparse"',
    'parentFileNameHint="parent.vmdk"',
    `RW ${CAPACITY_SECTORS} VMFSSPARSE "child-delta.vmdk"`,
  ]);

const parentFiles = (): [string, MemorySource][] => [
  ['child-delta.vmdk', new MemorySource(buildCowd(), 'child-delta.vmdk')],
  [
    'parent.vmdk',
    new MemorySource(
      descriptor([
        'CID=12345678',
        'parentCID=ffffffff',
        'createType="vmfs"',
        `RW ${CAPACITY_SECTORS} VMFS "parent-flat.vmdk"`,
      ]),
      'parent.vmdk',
    ),
  ],
  [
    'parent-flat.vmdk',
    new MemorySource(
      new Uint8Array(CAPACITY_SECTORS * SECTOR).fill(PARENT_BYTE),
      'parent-flat.vmdk',
    ),
  ],
];

/** Unaligned reads of random lengths compared with the expected bytes. */
function checkRandomReads(read: (off: number, len: number) => Uint8Array, exp: Uint8Array): void {
  const rnd = prng(0xc0d);
  for (let n = 0; n < 200; n++) {
    const len = 1 + Math.floor(rnd() * 3 * GRAIN * (n % 4 === 0 ? 40 : 1));
    const off = Math.floor(rnd() * (exp.length - Math.min(len, exp.length)));
    const want = exp.subarray(off, off + Math.min(len, exp.length - off));
    expect(Buffer.from(read(off, want.length)).equals(Buffer.from(want))).toBe(true);
  }
}

describe('VMFS sparse (COWD) extents', () => {
  test('a COWD file alone: allocated grains hold their pattern, holes read as zeros', () => {
    const image = openBytes(buildCowd(), [], undefined, 'alone-delta.vmdk');
    expect([image.format, image.size]).toEqual(['vmdk', CAPACITY_SECTORS * SECTOR]);
    expect([image.info.createType, image.info.sparseFormat, image.info.grainSize]).toEqual([
      'vmfsSparse',
      'COWD',
      GRAIN,
    ]);
    expect((image.info.warnings as string[]).length).toBe(1); // its parent is not known
    expect(Buffer.from(image.readAt(0, image.size)).equals(Buffer.from(expectedBytes(0)))).toBe(
      true,
    );
    checkRandomReads((o, l) => image.readAt(o, l), expectedBytes(0));
  });

  test('a vmfsSparse delta over a flat parent: holes read from the parent', () => {
    const image = openBytes(childDescriptor('12345678'), parentFiles(), undefined, 'child.vmdk');
    expect(image.backingFile).toBe('parent.vmdk');
    expect(image.info.warnings).toBeUndefined();
    checkRandomReads((o, l) => image.readAt(o, l), expectedBytes(PARENT_BYTE));
  });

  test('a parentCID that is not the parent CID: a warning, same bytes', () => {
    const image = openBytes(childDescriptor('87654321'), parentFiles(), undefined, 'child.vmdk');
    expect((image.info.warnings as string[]).length).toBe(1);
    checkRandomReads((o, l) => image.readAt(o, l), expectedBytes(PARENT_BYTE));
  });

  test.each([
    ['version 2', 4, 2, 'unsupported'],
    ['grainSize 0', 16, 0, 'corrupt'],
    ['grainSize 3', 16, 3, 'corrupt'],
    ['numGDEntries 0 for a 4 MiB disk', 24, 0, 'corrupt'],
    ['gdOffset past EOF', 20, 1 << 20, 'corrupt'],
  ])('header %s', (_, off, value, kind) => {
    const b = buildCowd();
    new DataView(b.buffer).setUint32(off, value, true);
    const e = engineError(() => openBytes(b, [], undefined, 'x.vmdk'));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind,
      structure: 'VMDK COWD header',
    });
  });

  test('a grain table entry past EOF fails when read', () => {
    const b = buildCowd();
    new DataView(b.buffer).setUint32(GT_SECTOR * SECTOR + 3 * 4, 1 << 24, true);
    const image = openBytes(b, [], undefined, 'x.vmdk');
    const e = engineError(() => image.readAt(3 * GRAIN, 512));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'VMDK COWD grain table',
    });
  });

  test('200 single-byte mutations of the header and tables: an EngineError or a valid open', () => {
    const good = buildCowd();
    const rnd = prng(0xc0d2);
    let errors = 0;
    for (let n = 0; n < 200; n++) {
      const b = good.slice();
      const at =
        n % 2 === 0 ? Math.floor(rnd() * 32) : GT_SECTOR * SECTOR + Math.floor(rnd() * 4096);
      b[at] = Math.floor(rnd() * 256);
      try {
        const image = openBytes(b, [], 'vmdk', 'x.vmdk');
        image.readAt(0, Math.min(image.size, 1 << 20));
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
