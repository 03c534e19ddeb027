// GPT damage handling and corruption: each case patches one field of sgdisk's good table
// in gpt.img (recomputing a CRC with zlib only where the field under test must be what
// fails) and asserts the error's kind and structure.

import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { readGptEntries } from '../../src/engine/partitions/gpt-entries.js';
import { decodeGptHeader } from '../../src/engine/partitions/gpt-header.js';
import { gptDriver } from '../../src/engine/partitions/gpt.js';
import { mbrDriver } from '../../src/engine/partitions/mbr.js';
import { partGetMbrId } from '../../src/engine/partitions/layout.js';
import { openPartitionTable } from '../../src/engine/partitions/registry.js';
import {
  PatchedSource,
  expectMatchesSfdisk,
  fixtureDisk,
  le32,
  le64,
  partnumOf,
  sfdisk,
} from './helpers.js';

const SS = 512;

/** Where sgdisk put the two headers and arrays of gpt.img, read from the raw headers. */
function layout(disk: BlockSource) {
  const primary = disk.readAt(SS, SS);
  const backupLba = le64(primary, 32);
  const backup = disk.readAt(backupLba * SS, SS);
  return {
    primaryHeader: SS,
    primaryArray: le64(primary, 72) * SS,
    backupHeader: backupLba * SS,
    backupArray: le64(backup, 72) * SS,
    entrySize: le32(primary, 84),
  };
}

function thrown(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError');
}

describe('damaged GPTs', () => {
  it('uses the backup when LBA 1 is zeroed, and says so', () => {
    const table = openPartitionTable(fixtureDisk('gpt-bad-primary.img'));
    expectMatchesSfdisk(table, sfdisk('gpt-bad-primary.img'));
    expect(table!.warnings.length).toBe(1);
  });

  it('uses the backup when the primary entry array fails its CRC', () => {
    const table = openPartitionTable(fixtureDisk('gpt-bad-entries.img'));
    expectMatchesSfdisk(table, sfdisk('gpt-bad-entries.img'));
    expect(table!.warnings.length).toBe(1);
  });

  it('is corrupt when both headers are damaged, naming the primary', () => {
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const bad = new PatchedSource(disk)
      .patch(l.primaryHeader, new Uint8Array(SS))
      .patch(l.backupHeader, new Uint8Array(SS));
    const e = thrown(() => openPartitionTable(bad));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT header');
    expect(e.offset).toBe(l.primaryHeader);
  });

  it('is corrupt when both entry arrays fail their CRC', () => {
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const bad = new PatchedSource(disk)
      .patch(l.primaryArray + 60, [0x41])
      .patch(l.backupArray + 60, [0x41]);
    const e = thrown(() => gptDriver.open(bad));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT entry array');
    expect(e.offset).toBe(l.primaryArray);
  });

  it('finds the backup at the AlternateLBA the primary names when the disk grew', () => {
    // Append 1 MiB: the backup is no longer at the last LBA, but the primary says where.
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const grown: BlockSource = {
      size: disk.size + 1024 * 1024,
      readAt: (o, n) => {
        const out = new Uint8Array(n);
        if (o < disk.size) out.set(disk.readAt(o, Math.min(n, disk.size - o)));
        return out;
      },
    };
    // Break the primary's array only: its header (with AlternateLBA) still reads.
    const bad = new PatchedSource(grown).patch(l.primaryArray + 60, [0x41]);
    const table = gptDriver.open(bad);
    expect(table.partitions.map((p) => p.partnum)).toEqual(
      sfdisk('gpt.img').partitions.map(partnumOf),
    );
    expect(table.warnings.length).toBe(1);
  });
});

describe('GPT header corruption (one field)', () => {
  const disk = () => fixtureDisk('gpt.img');
  const header = (src: BlockSource) => decodeGptHeader(src.readAt(SS, SS), 1, SS);

  const cases: [string, (p: PatchedSource) => PatchedSource, number][] = [
    ['signature', (p) => p.patch(SS, [0x45, 0x46, 0x49, 0x20, 0x50, 0x41, 0x52, 0x55]), 0],
    ['HeaderCRC32 (a byte of the disk GUID changed)', (p) => p.patch(SS + 56, [0x01]), 16],
    ['HeaderSize 10', (p) => p.u32le(SS + 12, 10), 12],
    ['HeaderSize larger than the sector', (p) => p.u32le(SS + 12, 513), 12],
    ['MyLBA', (p) => p.u64le(SS + 24, 7n).fixGptHeaderCrc(SS), 24],
    ['SizeOfPartitionEntry 0', (p) => p.u32le(SS + 84, 0).fixGptHeaderCrc(SS), 84],
    ['SizeOfPartitionEntry 17', (p) => p.u32le(SS + 84, 17).fixGptHeaderCrc(SS), 84],
    [
      'SizeOfPartitionEntry 384 (not 128 × 2^n)',
      (p) => p.u32le(SS + 84, 384).fixGptHeaderCrc(SS),
      84,
    ],
    [
      'NumberOfPartitionEntries 0xFFFFFFFF',
      (p) => p.u32le(SS + 80, 0xffffffff).fixGptHeaderCrc(SS),
      80,
    ],
    [
      'NumberOfPartitionEntries × size above the array limit',
      (p) =>
        p
          .u32le(SS + 80, 40000)
          .u32le(SS + 84, 1024)
          .fixGptHeaderCrc(SS),
      80,
    ],
    ['LastUsableLBA above 2^53', (p) => p.u64le(SS + 48, 1n << 60n).fixGptHeaderCrc(SS), 48],
  ];
  for (const [what, patch, field] of cases) {
    it(what, () => {
      const e = thrown(() => header(patch(new PatchedSource(disk()))));
      expect(e.kind).toBe('corrupt');
      expect(e.structure).toBe('GPT header');
      expect(e.offset).toBe(SS + field);
    });
  }

  it('accepts the unpatched header (the cases above are not failing for another reason)', () => {
    const h = header(new PatchedSource(disk()).fixGptHeaderCrc(SS));
    expect(h.diskGuid).toBe(sfdisk('gpt.img').id);
  });
});

describe('GPT entry corruption (one field)', () => {
  it('entry array CRC', () => {
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const bad = new PatchedSource(disk).patch(l.primaryArray + 2 * l.entrySize + 56, [0x58]);
    const h = decodeGptHeader(bad.readAt(SS, SS), 1, SS);
    const e = thrown(() => readGptEntries(bad, h));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT entry array');
    expect(e.offset).toBe(l.primaryArray);
  });

  it('EndingLBA before StartingLBA (CRCs recomputed)', () => {
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const entry = l.primaryArray + l.entrySize; // partition 2
    const p = new PatchedSource(disk).u64le(entry + 40, 5n);
    const array = p.readAt(l.primaryArray, 128 * l.entrySize);
    p.u32le(SS + 88, zlib.crc32(array)).fixGptHeaderCrc(SS);
    const h = decodeGptHeader(p.readAt(SS, SS), 1, SS);
    const e = thrown(() => readGptEntries(p, h));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT entry');
    expect(e.offset).toBe(entry + 40);
  });

  it('entry array past the end of the disk', () => {
    const disk = fixtureDisk('gpt.img');
    const p = new PatchedSource(disk)
      .u64le(SS + 72, BigInt(disk.size / SS - 2))
      .fixGptHeaderCrc(SS);
    const e = thrown(() => readGptEntries(p, decodeGptHeader(p.readAt(SS, SS), 1, SS)));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT entry array');
  });
});

describe('hybrid MBR', () => {
  it('GPT wins; the hybrid entries give mbrId to the GPT partitions at the same start', () => {
    const disk = fixtureDisk('hybrid.img');
    const table = openPartitionTable(disk)!;
    expectMatchesSfdisk(table, sfdisk('hybrid.img'));
    const mbr = sfdisk('hybrid.img', 'hybrid.mbr.sfdisk.json');
    const hybrid = mbr.partitions.filter((p) => p.type !== 'ee');
    expect(hybrid.length).toBe(2);
    for (const p of table.partitions) {
      const h = hybrid.find((q) => q.start * SS === p.start);
      expect(p.mbrId, `partition ${p.partnum}`).toBe(h ? parseInt(h.type, 16) : undefined);
    }
    expect(table.warnings.length).toBe(1);
  });

  it('the MBR driver reads the MBR half as sfdisk -Y dos does', () => {
    expectMatchesSfdisk(
      mbrDriver.open(fixtureDisk('hybrid.img')),
      sfdisk('hybrid.img', 'hybrid.mbr.sfdisk.json'),
    );
  });

  it('part_get_mbr_id refuses GPT tables (EINVAL) and answers for msdos', () => {
    const gpt = openPartitionTable(fixtureDisk('hybrid.img'))!;
    const e = thrown(() => partGetMbrId(gpt, 1));
    expect(e.kind).toBe('EINVAL');
    const msdos = openPartitionTable(fixtureDisk('mbr.img'))!;
    const sf = sfdisk('mbr.img');
    for (const p of sf.partitions)
      expect(partGetMbrId(msdos, partnumOf(p))).toBe(parseInt(p.type, 16));
    expect(thrown(() => partGetMbrId(msdos, 9)).kind).toBe('EINVAL');
  });
});

describe('GPT detection', () => {
  it('a protective MBR with both GPT headers gone is corrupt, not "no table"', () => {
    const disk = fixtureDisk('gpt.img');
    const l = layout(disk);
    const bad = new PatchedSource(disk)
      .patch(l.primaryHeader, new Uint8Array(SS))
      .patch(l.backupHeader, new Uint8Array(SS));
    expect(gptDriver.probe(bad.readAt(0, 65536), bad.size)).toBe(true);
    expect(thrown(() => gptDriver.open(bad)).structure).toBe('GPT header');
  });

  it('a GPT with sector 0 zeroed is still found (no protective MBR: a warning)', () => {
    const disk = fixtureDisk('gpt.img');
    const table = openPartitionTable(new PatchedSource(disk).patch(0, new Uint8Array(SS)))!;
    expectMatchesSfdisk(table, sfdisk('gpt.img'));
    expect(table.warnings.length).toBe(1);
  });

  it('an MBR with partitions and a stale GPT header behind it is MBR (as libblkid decides)', () => {
    const mbr = fixtureDisk('mbr.img');
    const gptHeader = fixtureDisk('gpt.img').readAt(SS, SS);
    const table = openPartitionTable(new PatchedSource(mbr).patch(SS, gptHeader));
    expectMatchesSfdisk(table, sfdisk('mbr.img'));
  });
});
