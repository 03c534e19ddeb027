// Checks and views that apply to any partition table once it is decoded: partitions that
// run past the end of the disk or overlap, the block devices Linux would make for them,
// and the libguestfs-style lookups by partition number.
//
// Past the end of the disk: the table keeps what the table says (sfdisk and parted print
// it unchanged, and truncated images such as a disk's first sectors still list correctly),
// a warning is recorded, and partitionDevices() does what the Linux kernel does when it
// creates the devices: a partition that starts at or past the end gets no device, one
// that ends past it is clipped to the end.
// Reference: Linux block/partitions/core.c blk_add_partitions()/blk_add_partition()
// ("p%d start %llu is beyond EOD", "p%d size %llu extend beyond EOD, truncated").

import { EngineError } from '../errors.js';
import { slice, type BlockSource } from '../io/block-source.js';
import type { Partition, PartitionTable } from './types.js';

const end = (p: Partition): number => p.start + p.size;

/** Warnings for partitions that start or end past the end of the disk. */
export function boundsWarnings(parts: readonly Partition[], diskSize: number): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p.start >= diskSize) {
      out.push(
        `partition ${p.partnum} starts at byte ${p.start}, past the end of the disk (${diskSize} bytes)`,
      );
    } else if (end(p) > diskSize) {
      out.push(
        `partition ${p.partnum} ends at byte ${end(p)}, past the end of the disk (${diskSize} bytes)`,
      );
    }
  }
  return out;
}

/**
 * Pairs of partitions whose byte ranges intersect. An extended partition contains its
 * logicals by design, so it is only compared with the other primaries.
 */
export function overlappingPairs(parts: readonly Partition[]): [Partition, Partition][] {
  const out: [Partition, Partition][] = [];
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const a = parts[i]!;
      const b = parts[j]!;
      const nested =
        (a.kind === 'extended') !== (b.kind === 'extended') &&
        (a.kind === 'logical' || b.kind === 'logical');
      if (nested) continue;
      if (a.start < end(b) && b.start < end(a)) out.push([a, b]);
    }
  }
  return out;
}

export function overlapWarnings(parts: readonly Partition[]): string[] {
  return overlappingPairs(parts).map(
    ([a, b]) => `partitions ${a.partnum} and ${b.partnum} overlap`,
  );
}

/** MBR type bytes of BSD slices: the slice holds its own disklabel (FreeBSD, OpenBSD, NetBSD). */
const BSD_MBR_TYPES: ReadonlySet<number> = new Set([0xa5, 0xa6, 0xa9]);
/** GPT types of partitions that hold a nested BSD disklabel (FreeBSD; DragonFly 32 and 64). */
const BSD_GPT_TYPES: ReadonlySet<string> = new Set([
  '516E7CB4-6ECF-11D6-8FF8-00022D09712B',
  '9D087404-1CA5-11DC-8817-01301BB8A9F5',
  '3D48CE54-1D16-11DC-8696-01301BB8A9F5',
]);

/**
 * Nested BSD disklabels are not read (out of scope): say so rather than let the slice
 * look like one opaque partition. Linux would add their partitions after the logicals.
 */
export function nestedLabelWarnings(parts: readonly Partition[]): string[] {
  return parts
    .filter(
      (p) =>
        (p.gptType === undefined && p.mbrId !== undefined && BSD_MBR_TYPES.has(p.mbrId)) ||
        (p.gptType !== undefined && BSD_GPT_TYPES.has(p.gptType)),
    )
    .map((p) => `partition ${p.partnum} holds a BSD disklabel, whose partitions are not read`);
}

export interface PartitionDevice {
  partition: Partition;
  /** The partition's bytes, clipped to the disk. */
  source: BlockSource;
  /** True when the table's size ran past the end of the disk and was cut. */
  clipped: boolean;
}

/**
 * The partitions as Linux would expose them: start past the end → no device, end past the
 * end → clipped. An extended partition is a device too (Linux gives it 1 KiB; we give its
 * whole range, which is what parted and libguestfs' part_list report).
 */
export function partitionDevices(disk: BlockSource, table: PartitionTable): PartitionDevice[] {
  const out: PartitionDevice[] = [];
  for (const p of table.partitions) {
    if (p.start >= disk.size) continue;
    const size = Math.min(p.size, disk.size - p.start);
    const name = `${disk.name ?? 'disk'}#${p.partnum}`;
    out.push({ partition: p, source: slice(disk, p.start, size, name), clipped: size !== p.size });
  }
  return out;
}

/** The partition numbered `partnum`; EINVAL like libguestfs when there is none. */
export function findPartition(table: PartitionTable, partnum: number): Partition {
  const p = table.partitions.find((q) => q.partnum === partnum);
  if (!p) {
    throw new EngineError(
      'EINVAL',
      `partition number ${partnum} not found in the ${table.type} table`,
    );
  }
  return p;
}

/**
 * libguestfs part_get_mbr_id. Its documentation says the result is undefined for tables
 * other than msdos (the implementation runs `sfdisk --part-type` and scans the GPT type
 * GUID's first hex digits as a number); we make that an EINVAL error instead of inventing
 * a byte. The hybrid-MBR byte of a GPT partition stays available as Partition.mbrId.
 */
export function partGetMbrId(table: PartitionTable, partnum: number): number {
  if (partnum <= 0) throw new EngineError('EINVAL', 'partition number must be >= 1');
  if (table.type !== 'msdos') {
    throw new EngineError(
      'EINVAL',
      `part_get_mbr_id: the partition table is ${table.type}, not msdos`,
    );
  }
  const id = findPartition(table, partnum).mbrId;
  if (id === undefined)
    throw new EngineError('EINVAL', `partition ${partnum} has no MBR type byte`);
  return id;
}
