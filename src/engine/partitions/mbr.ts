// The DOS master boot record as a partition table (the sector's layout is in
// boot-record.ts). Extended partitions (types 0x05, 0x0F, 0x85) hold a chain of EBRs (see
// ebr.ts).
// Reference: Linux block/partitions/msdos.c msdos_partition() (numbering: primaries 1-4 by slot, empty
// slots keep their number, logicals from 5); util-linux libblkid/src/partitions/dos.c
// probe_dos_pt() (which sectors are MBRs at all).

import { corrupt } from '../errors.js';
import type { BlockSource } from '../io/block-source.js';
import { toHex } from '../io/bytes.js';
import {
  MBR_BOOT_SIGNATURE_OFFSET,
  MBR_SECTOR_SIZE,
  MBR_STATUS_ACTIVE,
  MBR_TYPE_GPT_PROTECTIVE,
  decodeBootRecord,
  isExtendedType,
  isUsed,
  type BootRecord,
  type MbrEntry,
} from './boot-record.js';
import { readLogicals } from './ebr.js';
import {
  boundsWarnings,
  nestedLabelWarnings,
  overlapWarnings,
  overlappingPairs,
} from './layout.js';
import type { Partition, PartitionTable, PartitionTableDriver } from './types.js';
import { volumeBootRecordKind } from './vbr.js';

/**
 * Why sector 0 is not a plausible MBR, or undefined when it is. The rules, in order:
 * libblkid's (0x55AA present; not an AIX PV; not a valid FAT boot sector; every status
 * byte 0x00 or 0x80; no 0xEE entry, which makes it GPT), then ours for boot sectors
 * libblkid leaves to its filesystem probers (NTFS, exFAT OEM names) and for tables no
 * partitioning tool writes: a used entry at LBA 0 (on top of the MBR itself) or two
 * primary entries that overlap. Entries that run past the end of the disk do NOT reject
 * the table: libblkid accepts them, and truncated images (a disk's first sectors, such as
 * booster's mbr_header.bin) are still MBR disks; openMsdos() warns about them instead.
 */
export function mbrRejectReason(head: Uint8Array): string | undefined {
  if (head.length < MBR_SECTOR_SIZE) return 'shorter than one sector';
  const sector = head.subarray(0, MBR_SECTOR_SIZE);
  const rec = decodeBootRecord(sector, 0, 'MBR');
  if (!rec.hasSignature) return 'no 0x55AA boot signature';
  if (AIX_MAGIC.every((v, i) => sector[i] === v)) return 'AIX physical volume';
  const vbr = volumeBootRecordKind(sector);
  if (vbr) return `a ${vbr} boot sector, not a partition table`;
  if (rec.entries.some((e) => e.status !== 0 && e.status !== MBR_STATUS_ACTIVE)) {
    return 'a status byte is neither 0x00 nor 0x80';
  }
  if (rec.entries.some((e) => e.type === MBR_TYPE_GPT_PROTECTIVE)) return 'GPT protective MBR';
  const used = rec.entries.filter(isUsed);
  if (used.some((e) => e.startLba === 0)) return 'an entry starts at LBA 0';
  const parts = used.map((e) => primaryPartition(e));
  if (overlappingPairs(parts).length > 0) return 'primary entries overlap';
  return undefined;
}

function primaryPartition(e: MbrEntry): Partition {
  return {
    partnum: e.slot + 1,
    start: e.startLba * MBR_SECTOR_SIZE,
    size: e.sectors * MBR_SECTOR_SIZE,
    kind: isExtendedType(e.type) ? 'extended' : 'primary',
    bootable: e.status === MBR_STATUS_ACTIVE,
    mbrId: e.type,
  };
}

/** Read and decode sector 0; corrupt when there is no boot signature. */
export function readMbr(disk: BlockSource): BootRecord {
  if (disk.size < MBR_SECTOR_SIZE) {
    throw corrupt('MBR', 0, 'disk is smaller than one sector', MBR_SECTOR_SIZE, disk.size);
  }
  const sector = disk.readAt(0, MBR_SECTOR_SIZE);
  const rec = decodeBootRecord(sector, 0, 'MBR');
  if (!rec.hasSignature) {
    const actual = toHex(sector.subarray(MBR_BOOT_SIGNATURE_OFFSET, MBR_BOOT_SIGNATURE_OFFSET + 2));
    throw corrupt('MBR', MBR_BOOT_SIGNATURE_OFFSET, 'boot signature missing', '55aa', actual);
  }
  return rec;
}

/**
 * The msdos table: primaries in slot order, then the logicals of each extended partition.
 * A protective or hybrid MBR opens too (its 0xEE entries are listed like any other), which
 * is how the MBR half of a hybrid disk is read; openPartitionTable() sends such disks to
 * the GPT driver instead.
 */
function openMsdos(disk: BlockSource): PartitionTable {
  const rec = readMbr(disk);
  const warnings: string[] = [];
  const partitions = rec.entries.filter(isUsed).map(primaryPartition);
  let next = 5;
  for (const e of rec.entries.filter((x) => isUsed(x) && isExtendedType(x.type))) {
    const chain = readLogicals(disk, e, next);
    partitions.push(...chain.partitions);
    warnings.push(...chain.warnings);
    next += chain.partitions.length;
  }
  if (rec.entries.some((e) => e.type === MBR_TYPE_GPT_PROTECTIVE)) {
    warnings.push(
      'the MBR has a GPT protective (0xEE) entry: the disk is GPT, this is the MBR view',
    );
  }
  warnings.push(
    ...boundsWarnings(partitions, disk.size),
    ...overlapWarnings(partitions),
    ...nestedLabelWarnings(partitions),
  );
  return {
    type: 'msdos',
    sectorSize: MBR_SECTOR_SIZE,
    partitions,
    id: rec.diskSignature.toString(16).padStart(8, '0'),
    warnings,
  };
}

/** AIX physical volumes start with this and are not MBRs (libblkid dos.c). */
const AIX_MAGIC = new Uint8Array([0xc9, 0xc2, 0xd4, 0xc1]);

export const mbrDriver = {
  name: 'msdos',
  probe(head: Uint8Array, _diskSize: number): boolean {
    try {
      return mbrRejectReason(head) === undefined;
    } catch {
      return false;
    }
  },
  open: openMsdos,
} satisfies PartitionTableDriver;
