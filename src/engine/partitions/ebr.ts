// The chain of extended boot records (EBRs) inside an extended partition. Each EBR is a
// boot record at the start of its own little container: data (logical) entries are
// relative to the EBR itself, the link to the next EBR is relative to the start of the
// outermost extended partition.
//
// Like Linux and libblkid: a data partition may sit in any of the four slots (DOS tools
// write slot 1, DR-DOS and OS/2 others, and DFTT's test image has one in slot 2 beside a
// link in slot 3); slots 3 and 4 often hold garbage, so an entry there counts only if it
// lies inside its container and the extended partition; only the first extended entry is
// followed as the link; a sector without 0x55AA ends the chain; logicals are numbered 5, 6,
// … in chain order, across all extended partitions of the disk.
// Stricter than Linux, because libguestfs lists partitions through parted, which refuses
// these tables: a logical in slot 1 or 2 that extends past its extended partition, or a
// link leaving the extended partition, is corrupt; so is a chain that loops.
// Reference: Linux block/partitions/msdos.c parse_extended(); util-linux
// libblkid/src/partitions/dos.c parse_dos_extended(); GNU parted libparted/labels/dos.c.

import { corrupt } from '../errors.js';
import type { BlockSource } from '../io/block-source.js';
import {
  MBR_SECTOR_SIZE,
  MBR_STATUS_ACTIVE,
  decodeBootRecord,
  isExtendedType,
  isUsed,
  type MbrEntry,
} from './boot-record.js';
import type { Partition } from './types.js';

/**
 * Linux numbers partitions up to 255 (DISK_MAX_PARTS is 256 minors), so logicals 5…255
 * are all a guest could ever see; a longer chain is damage, not a disk.
 */
export const MAX_LOGICAL_PARTITIONS = 251;
/** libblkid gives up after 100 EBRs in a row that hold no data partition. */
export const MAX_EMPTY_EBRS = 100;

export interface LogicalChain {
  partitions: Partition[];
  warnings: string[];
}

interface Extent {
  /** First and one-past-last LBA. */
  start: number;
  end: number;
}

/** Walk the EBR chain of extended partition `ext` (a primary entry); number from `first`. */
export function readLogicals(disk: BlockSource, ext: MbrEntry, first: number): LogicalChain {
  const outer: Extent = { start: ext.startLba, end: ext.startLba + ext.sectors };
  const out: LogicalChain = { partitions: [], warnings: [] };
  const visited = new Set<number>();
  let ebr: Extent = outer;
  let linkOffset = ext.offset;
  let empty = 0;
  for (;;) {
    checkLink(ebr, outer, visited, linkOffset);
    visited.add(ebr.start);
    const sector = readEbrSector(disk, ebr.start, out.warnings);
    if (!sector) break;
    const rec = decodeBootRecord(sector, ebr.start * MBR_SECTOR_SIZE, 'EBR');
    if (!rec.hasSignature) {
      if (sector.some((v) => v !== 0))
        out.warnings.push(`EBR at LBA ${ebr.start} has no 0x55AA signature: the chain ends there`);
      break;
    }
    const found = addLogicals(rec.entries, ebr, outer, first + out.partitions.length, out);
    empty = found > 0 ? 0 : empty + 1;
    if (empty > MAX_EMPTY_EBRS) {
      throw corrupt(
        'EBR',
        ebr.start * MBR_SECTOR_SIZE,
        `more than ${MAX_EMPTY_EBRS} EBRs in a row without a logical partition`,
      );
    }
    const link = nextLink(rec.entries, ebr, out.warnings);
    if (!link) break;
    ebr = { start: outer.start + link.startLba, end: outer.start + link.startLba + link.sectors };
    linkOffset = link.offset;
  }
  return out;
}

/** The next EBR must lie inside the extended partition and must not have been read before. */
function checkLink(ebr: Extent, outer: Extent, visited: Set<number>, linkOffset: number): void {
  if (visited.has(ebr.start)) {
    throw corrupt(
      'EBR',
      linkOffset,
      `link points back to the EBR at LBA ${ebr.start}: the chain loops`,
    );
  }
  if (ebr.start < outer.start || ebr.end > outer.end || ebr.end <= ebr.start) {
    throw corrupt(
      'EBR',
      linkOffset,
      'link leaves the extended partition',
      `LBA ${outer.start}..${outer.end - 1}`,
      `LBA ${ebr.start}..${ebr.end - 1}`,
    );
  }
}

/** The EBR's sector, or undefined (with a warning) when it lies past the end of the image. */
function readEbrSector(disk: BlockSource, lba: number, warnings: string[]): Uint8Array | undefined {
  const offset = lba * MBR_SECTOR_SIZE;
  if (offset + MBR_SECTOR_SIZE > disk.size) {
    warnings.push(`EBR at LBA ${lba} lies past the end of the disk: the chain ends there`);
    return undefined;
  }
  return disk.readAt(offset, MBR_SECTOR_SIZE);
}

/** Append this EBR's data partitions; returns how many it had. */
function addLogicals(
  entries: MbrEntry[],
  ebr: Extent,
  outer: Extent,
  partnum: number,
  out: LogicalChain,
): number {
  let found = 0;
  for (const e of entries) {
    if (!isUsed(e) || isExtendedType(e.type)) continue;
    const start = ebr.start + e.startLba;
    const end = start + e.sectors;
    if (e.slot >= 2 && (e.startLba + e.sectors > ebr.end - ebr.start || end > outer.end)) {
      // Linux and libblkid take slots 3-4 only when they fit their container: often garbage.
      out.warnings.push(
        `EBR at LBA ${ebr.start}: ignored entry ${e.slot + 1}, which lies outside its extended partition`,
      );
      continue;
    }
    if (e.startLba === 0 || end > outer.end) {
      throw corrupt(
        'EBR',
        e.offset,
        'logical partition lies outside its extended partition',
        `LBA ${ebr.start + 1}..${outer.end - 1}`,
        `LBA ${start}..${end - 1}`,
      );
    }
    if (partnum + found > 4 + MAX_LOGICAL_PARTITIONS) {
      throw corrupt('EBR', e.offset, `more than ${MAX_LOGICAL_PARTITIONS} logical partitions`);
    }
    out.partitions.push(logical(e, start, partnum + found));
    found++;
  }
  return found;
}

function logical(e: MbrEntry, startLba: number, partnum: number): Partition {
  return {
    partnum,
    start: startLba * MBR_SECTOR_SIZE,
    size: e.sectors * MBR_SECTOR_SIZE,
    kind: 'logical',
    bootable: e.status === MBR_STATUS_ACTIVE,
    mbrId: e.type,
  };
}

/** The first extended entry links to the next EBR; further ones are junk (Linux, libblkid). */
function nextLink(entries: MbrEntry[], ebr: Extent, warnings: string[]): MbrEntry | undefined {
  const links = entries.filter((e) => isUsed(e) && isExtendedType(e.type));
  if (links.length > 1)
    warnings.push(`EBR at LBA ${ebr.start}: ${links.length - 1} extra extended entries ignored`);
  return links[0];
}
