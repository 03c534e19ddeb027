// MBR and EBR-chain corruption (one field of sfdisk's good table in mbr.img patched per
// case), the sanity limits on long chains, partitions past the end of the disk, and the
// rules that tell an MBR from a filesystem's boot sector.

import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource, type BlockSource } from '../../src/engine/io/block-source.js';
import { MAX_EMPTY_EBRS, MAX_LOGICAL_PARTITIONS } from '../../src/engine/partitions/ebr.js';
import { partitionDevices } from '../../src/engine/partitions/layout.js';
import { mbrDriver } from '../../src/engine/partitions/mbr.js';
import { openPartitionTable } from '../../src/engine/partitions/registry.js';
import { volumeBootRecordKind } from '../../src/engine/partitions/vbr.js';
import {
  PatchedSource,
  expectMatchesSfdisk,
  fixtureDisk,
  le32,
  partnumOf,
  sfdisk,
} from './helpers.js';

const SS = 512;
const LINK = 0x1ce; // slot 2 of an EBR: the link to the next EBR (as sfdisk writes it)
const DATA = 0x1be; // slot 1: the logical partition

function thrown(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError');
}

/** Byte offsets of the three EBRs of mbr.img, found by following sfdisk's links by hand. */
function ebrs(disk: BlockSource): number[] {
  const ext = sfdisk('mbr.img').partitions.find((p) => partnumOf(p) === 4)!.start;
  const out = [ext * SS];
  for (;;) {
    const sector = disk.readAt(out[out.length - 1]!, SS);
    if (le32(sector, LINK + 12) === 0) return out;
    out.push((ext + le32(sector, LINK + 8)) * SS);
  }
}

describe('EBR chain', () => {
  it('mbr.img has the chain sfdisk wrote (3 EBRs)', () => {
    expect(ebrs(fixtureDisk('mbr.img')).length).toBe(3);
  });

  it('a link back to an earlier EBR is a loop: corrupt EBR', () => {
    const disk = fixtureDisk('mbr.img');
    const [, second] = ebrs(disk);
    const bad = new PatchedSource(disk).u32le(second! + LINK + 8, 0);
    const e = thrown(() => openPartitionTable(bad));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('EBR');
    expect(e.offset).toBe(second! + LINK);
  });

  it('a logical that runs past the end of the extended partition: corrupt EBR', () => {
    const disk = fixtureDisk('mbr.img');
    const [, , third] = ebrs(disk);
    const bad = new PatchedSource(disk).u32le(third! + DATA + 12, 0x100000);
    const e = thrown(() => openPartitionTable(bad));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('EBR');
    expect(e.offset).toBe(third! + DATA);
  });

  it('a link that leaves the extended partition: corrupt EBR', () => {
    const disk = fixtureDisk('mbr.img');
    const [first] = ebrs(disk);
    const bad = new PatchedSource(disk).u32le(first! + LINK + 8, 0x7fffff);
    const e = thrown(() => openPartitionTable(bad));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('EBR');
    expect(e.offset).toBe(first! + LINK);
  });

  it('garbage in slot 3 of an EBR is ignored with a warning, as Linux does', () => {
    const disk = fixtureDisk('mbr.img');
    const [first] = ebrs(disk);
    const bad = new PatchedSource(disk)
      .patch(first! + 0x1de + 4, [0x83])
      .u32le(first! + 0x1de + 8, 1)
      .u32le(first! + 0x1de + 12, 0x7fffffff);
    const table = openPartitionTable(bad);
    expectMatchesSfdisk(table, sfdisk('mbr.img'));
    expect(table!.warnings.length).toBe(1);
  });

  it('an EBR without 0x55AA ends the chain there, with a warning', () => {
    const disk = fixtureDisk('mbr.img');
    const [, , third] = ebrs(disk);
    const table = openPartitionTable(new PatchedSource(disk).patch(third! + 510, [0, 0]))!;
    expect(table.partitions.map((p) => p.partnum)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.warnings.length).toBe(1);
  });
});

/** A disk with an MBR whose extended partition (LBA 1…) holds EBRs written by `fill`. */
function syntheticExtended(
  sectors: number,
  fill: (ebr: (lba: number) => DataView) => void,
): MemorySource {
  const bytes = new Uint8Array(sectors * SS);
  const at = (lba: number) => new DataView(bytes.buffer, lba * SS, SS);
  const mbr = at(0);
  mbr.setUint8(0x1be + 4, 0x05);
  mbr.setUint32(0x1be + 8, 1, true);
  mbr.setUint32(0x1be + 12, sectors - 1, true);
  mbr.setUint16(510, 0xaa55, true);
  fill(at);
  return new MemorySource(bytes, 'synthetic');
}

function entry(v: DataView, off: number, type: number, start: number, size: number): void {
  v.setUint8(off + 4, type);
  v.setUint32(off + 8, start, true);
  v.setUint32(off + 12, size, true);
  v.setUint16(510, 0xaa55, true);
}

describe('EBR sanity limits', () => {
  it(`more than ${MAX_EMPTY_EBRS} EBRs in a row without a logical: corrupt EBR`, () => {
    const n = MAX_EMPTY_EBRS + 5;
    const disk = syntheticExtended(n + 2, (at) => {
      for (let i = 0; i < n; i++) entry(at(1 + i), LINK, 0x05, i + 1, 1);
    });
    const e = thrown(() => mbrDriver.open(disk));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('EBR');
  });

  it(`more than ${MAX_LOGICAL_PARTITIONS} logical partitions: corrupt EBR`, () => {
    const n = MAX_LOGICAL_PARTITIONS + 3;
    const disk = syntheticExtended(2 * n + 2, (at) => {
      for (let i = 0; i < n; i++) {
        entry(at(1 + 2 * i), DATA, 0x83, 1, 1);
        entry(at(1 + 2 * i), LINK, 0x05, 2 * (i + 1), 2);
      }
    });
    const e = thrown(() => mbrDriver.open(disk));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('EBR');
  });
});

describe('partitions past the end of the disk', () => {
  it('are listed as the table says, with a warning; their devices follow Linux', () => {
    // mbr-ext85.img: move partition 2 past the end; stretch extended partition 1 past it.
    const disk = fixtureDisk('mbr-ext85.img');
    const sectors = disk.size / SS;
    const p1 = sfdisk('mbr-ext85.img').partitions[0]!;
    const stretched = sectors - p1.start + 50;
    const bad = new PatchedSource(disk)
      .u32le(0x1ce + 8, sectors + 100)
      .u32le(0x1be + 12, stretched);
    const table = openPartitionTable(bad)!;
    expect(table.partitions.find((p) => p.partnum === 2)!.start).toBe((sectors + 100) * SS);
    expect(table.partitions.find((p) => p.partnum === 1)!.size).toBe(stretched * SS);
    expect(table.warnings.length).toBe(2);
    const devices = partitionDevices(bad, table);
    expect(devices.map((d) => d.partition.partnum)).toEqual([1, 5, 6]); // 2 starts past the end: no device
    const one = devices[0]!;
    expect(one.clipped).toBe(true);
    expect(one.source.size).toBe(disk.size - one.partition.start);
  });
});

describe('MBR or boot sector', () => {
  it('a status byte other than 0x00/0x80 is not an MBR (libblkid rule)', () => {
    const bad = new PatchedSource(fixtureDisk('mbr.img')).patch(0x1ce, [0x01]);
    expect(openPartitionTable(bad)).toBeUndefined();
  });

  it('overlapping primaries, or one at LBA 0, are not an MBR', () => {
    const disk = fixtureDisk('mbr.img');
    const sf = sfdisk('mbr.img').partitions;
    expect(
      openPartitionTable(new PatchedSource(disk).u32le(0x1ce + 8, sf[0]!.start + 1)),
    ).toBeUndefined();
    expect(openPartitionTable(new PatchedSource(disk).u32le(0x1be + 8, 0))).toBeUndefined();
  });

  it('tells the boot sectors blkid found inside the partitions from the MBR', () => {
    const disk = fixtureDisk('mbr.img');
    expect(volumeBootRecordKind(disk.readAt(0, SS))).toBeUndefined();
    const kinds = sfdisk('mbr.img')
      .partitions.slice(0, 3)
      .map((p) => volumeBootRecordKind(disk.readAt(p.start * SS, SS)));
    expect(kinds).toEqual([undefined, 'ntfs', 'vfat']); // ext4, ntfs, vfat as blkid reports
    expect(volumeBootRecordKind(fixtureDisk('superfloppy-vfat.img').readAt(0, SS))).toBe('vfat');
    expect(volumeBootRecordKind(fixtureDisk('superfloppy-ntfs.img').readAt(0, SS))).toBe('ntfs');
  });

  it('a disk smaller than a sector has no table', () => {
    expect(openPartitionTable(new MemorySource(new Uint8Array(100)))).toBeUndefined();
  });
});
