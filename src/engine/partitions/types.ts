// The partition-table family. Reference: DESIGN.md "Probe then open".

import type { BlockSource } from '../io/block-source.js';

export type PartitionKind = 'primary' | 'extended' | 'logical';

export interface Partition {
  /** libguestfs' part_num: MBR 1–4 primary/extended, 5… logical; GPT its entry index + 1. */
  partnum: number;
  /**
   * Byte offset and length on the disk, as the table says them: they may run past the end
   * of a truncated image (the table then carries a warning; layout.ts partitionDevices()
   * clips or drops them the way Linux does).
   */
  start: number;
  size: number;
  kind: PartitionKind;
  /** MBR: status byte 0x80. GPT: the EFI System Partition type (parted's "boot" flag). */
  bootable: boolean;
  /** MBR partition type byte (also set for GPT when a hybrid MBR describes the same range). */
  mbrId?: number;
  /** GPT partition type GUID, uppercase as libguestfs prints it. */
  gptType?: string;
  /** GPT unique partition GUID, uppercase. */
  gptGuid?: string;
  /** GPT partition name ("" when empty). */
  name?: string;
  /** GPT attribute bits as a decimal string (64-bit). */
  gptAttributes?: string;
}

export interface PartitionTable {
  /** libguestfs' part_get_parttype: "msdos" or "gpt". */
  type: 'msdos' | 'gpt';
  sectorSize: number;
  partitions: Partition[];
  /** GPT disk GUID (uppercase) or MBR disk signature (8 lowercase hex digits). */
  id?: string;
  /** Non-fatal findings (primary GPT damaged and backup used, hybrid MBR, …). */
  warnings: string[];
  /** GPT first/last usable LBA. */
  firstUsableLba?: number;
  lastUsableLba?: number;
}

export interface PartitionTableDriver {
  readonly name: string;
  /** Cheap, pure, never throws. `head` holds at least the first 64 KiB of the disk (or all of it). */
  probe(head: Uint8Array, diskSize: number): boolean;
  /** Validate and parse; throws EngineError(corrupt). */
  open(disk: BlockSource): PartitionTable;
}
