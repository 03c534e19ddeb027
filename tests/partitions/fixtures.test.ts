// Every fixture disk from fixtures/build-partitions.sh, read through openPartitionTable and
// compared with what util-linux read from the same bytes: sfdisk --json for the tables,
// blkid -p for the whole-disk verdict (PTTYPE/PTUUID, or a filesystem and no table) and
// for what lies in each partition.

import { describe, expect, it } from 'vitest';
import { partitionDevices } from '../../src/engine/partitions/layout.js';
import { openPartitionTable } from '../../src/engine/partitions/registry.js';
import { expectMatchesSfdisk, expectedJson, fixtureDisk, sfdisk } from './helpers.js';

const TABLE_DISKS = [
  'mbr.img',
  'mbr-ext0f.img',
  'mbr-ext85.img',
  'gpt.img',
  'gpt-4k.img',
  'gpt-bad-primary.img',
  'gpt-bad-entries.img',
  'hybrid.img',
];

describe('partition tables of the fixture disks equal sfdisk --json', () => {
  for (const disk of TABLE_DISKS) {
    it(disk, () => {
      expectMatchesSfdisk(openPartitionTable(fixtureDisk(disk)), sfdisk(disk));
    });
  }

  it('numbers logicals 5, 6, 7 and keeps GPT numbers with gaps (1-5, 7)', () => {
    // Also asserted through sfdisk above; spelled out because it is the contract.
    expect(
      openPartitionTable(fixtureDisk('mbr.img'))!.partitions.map((p) => [p.partnum, p.kind]),
    ).toEqual([
      [1, 'primary'],
      [2, 'primary'],
      [3, 'primary'],
      [4, 'extended'],
      [5, 'logical'],
      [6, 'logical'],
      [7, 'logical'],
    ]);
    expect(openPartitionTable(fixtureDisk('gpt.img'))!.partitions.map((p) => p.partnum)).toEqual([
      1, 2, 3, 4, 5, 7,
    ]);
  });

  it('has no warnings on the intact disks', () => {
    for (const disk of ['mbr.img', 'mbr-ext0f.img', 'mbr-ext85.img', 'gpt.img', 'gpt-4k.img']) {
      expect(openPartitionTable(fixtureDisk(disk))!.warnings, disk).toEqual([]);
    }
  });
});

describe('the whole-disk verdict equals blkid -p', () => {
  const disks = [...TABLE_DISKS, 'notable.img', 'superfloppy-vfat.img', 'superfloppy-ntfs.img'];
  for (const disk of disks) {
    it(disk, () => {
      const blkid = expectedJson<Record<string, string>>(`${disk}.disk.blkid.json`);
      const table = openPartitionTable(fixtureDisk(disk));
      if (blkid.PTTYPE === 'dos' || blkid.PTTYPE === 'gpt') {
        expect(table?.type).toBe(blkid.PTTYPE === 'dos' ? 'msdos' : 'gpt');
        expect(table?.id?.toLowerCase()).toBe(blkid.PTUUID);
      } else if (blkid.PTTYPE === 'PMBR') {
        // blkid reads the file with 512-byte sectors and sees only the protective MBR of
        // the 4K disk; sfdisk on a 4K loop device saw the GPT (checked above).
        expect(disk).toBe('gpt-4k.img');
        expect(table?.type).toBe('gpt');
        expect(table?.sectorSize).toBe(4096);
      } else {
        // No table: zeros, or a filesystem on the whole disk whose boot sector ends in 55AA.
        expect(table).toBeUndefined();
      }
    });
  }
});

/** Bytes that blkid's verdict for a partition implies at the partition's start. */
function signatureFor(type: string): { offset: number; text: string } | undefined {
  switch (type) {
    case 'ext2':
    case 'ext3':
    case 'ext4':
      return { offset: 1080, text: '\x53\xef' }; // s_magic 0xEF53
    case 'vfat':
      return { offset: 510, text: '\x55\xaa' };
    case 'ntfs':
      return { offset: 3, text: 'NTFS    ' };
    case 'swap':
      return { offset: 4086, text: 'SWAPSPACE2' };
    default:
      return undefined;
  }
}

describe('partition devices hold what blkid found at each partition range', () => {
  for (const disk of ['mbr.img', 'gpt.img', 'gpt-4k.img']) {
    it(disk, () => {
      const src = fixtureDisk(disk);
      const devices = partitionDevices(src, openPartitionTable(src)!);
      const found = expectedJson<{ start: number; size: number; export: Record<string, string> }[]>(
        `${disk}.blkid.json`,
      );
      let checked = 0;
      for (const f of found) {
        const dev = devices.find((d) => d.partition.start === f.start);
        expect(dev?.source.size).toBe(f.size);
        const sig = f.export.TYPE ? signatureFor(f.export.TYPE) : undefined;
        if (!sig) continue;
        const bytes = dev!.source.readAt(sig.offset, sig.text.length);
        expect(String.fromCharCode(...bytes), `${disk} ${f.export.TYPE} at ${f.start}`).toBe(
          sig.text,
        );
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(2);
    });
  }
});
