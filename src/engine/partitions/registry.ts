// Which partition table a disk has. GPT is asked first, so a protective or hybrid MBR
// means GPT; the MBR driver accepts only a sector that passes libblkid's tests for "this
// is a DOS partition table, not a filesystem's boot sector" (see mbr.ts mbrRejectReason).
// Reference: DESIGN.md "Probe then open"; util-linux libblkid/src/partitions/partitions.c
// (probing order: gpt's pMBR check, then dos).

import { readHead, type BlockSource } from '../io/block-source.js';
import { gptDriver } from './gpt.js';
import { mbrDriver } from './mbr.js';
import type { PartitionTable, PartitionTableDriver } from './types.js';

/** In probe order. */
export const partitionTableDrivers: readonly PartitionTableDriver[] = [gptDriver, mbrDriver];

/** What the probes see: enough for the MBR and a GPT header at LBA 1 of a 4Kn disk. */
export const PARTITION_PROBE_BYTES = 64 * 1024;

/** The disk's partition table, or undefined when it has none. Throws corrupt when a table
 *  is recognised but damaged beyond use. */
export function openPartitionTable(disk: BlockSource): PartitionTable | undefined {
  const head = readHead(disk, 0, PARTITION_PROBE_BYTES);
  for (const driver of partitionTableDrivers) {
    if (driver.probe(head, disk.size)) return driver.open(disk);
  }
  return undefined;
}
