// The 512-byte boot record shared by the MBR (sector 0) and every EBR of an extended
// partition's chain: four 16-byte partition records at 0x1BE, the boot signature 0x55AA at
// 0x1FE, and in the MBR the 32-bit disk signature at 0x1B8. CHS fields are skipped: Linux,
// libblkid and sfdisk use only the 32-bit LBA start and size.
// Reference: UEFI Specification 2.10 §5.2.1 "Legacy Master Boot Record" (Tables 5-1, 5-2).

import { Bytes } from '../io/bytes.js';

export const MBR_SECTOR_SIZE = 512;
export const MBR_DISK_SIGNATURE_OFFSET = 0x1b8;
export const MBR_TABLE_OFFSET = 0x1be;
export const MBR_ENTRY_SIZE = 16;
export const MBR_BOOT_SIGNATURE_OFFSET = 0x1fe;
export const MBR_STATUS_ACTIVE = 0x80;
/** The type byte of a GPT protective (or hybrid) MBR entry. */
export const MBR_TYPE_GPT_PROTECTIVE = 0xee;
/** DOS extended (CHS), W95 extended (LBA), Linux extended: all start an EBR chain. */
export const MBR_EXTENDED_TYPES: ReadonlySet<number> = new Set([0x05, 0x0f, 0x85]);

/** One 16-byte partition record, as stored (startLba relative to its table's base). */
export interface MbrEntry {
  /** 0-3: the slot in its table. */
  slot: number;
  status: number;
  type: number;
  startLba: number;
  sectors: number;
  /** Absolute byte offset of the record on the disk, for errors. */
  offset: number;
}

export interface BootRecord {
  /** Whether 0x55 0xAA is at 0x1FE. */
  hasSignature: boolean;
  diskSignature: number;
  entries: MbrEntry[];
}

export const isExtendedType = (type: number): boolean => MBR_EXTENDED_TYPES.has(type);

/** Decode one partition record at `off` of `b` (CHS bytes skipped). */
export function decodePartitionRecord(b: Bytes, off: number, slot: number): MbrEntry {
  return {
    slot,
    status: b.u8(off),
    type: b.u8(off + 4),
    startLba: b.u32le(off + 8),
    sectors: b.u32le(off + 12),
    offset: b.base + off,
  };
}

/** Decode a 512-byte MBR or EBR found at absolute byte `offset`. */
export function decodeBootRecord(
  sector: Uint8Array,
  offset: number,
  structure: string,
): BootRecord {
  const b = new Bytes(sector, structure, offset);
  const entries: MbrEntry[] = [];
  for (let slot = 0; slot < 4; slot++) {
    entries.push(decodePartitionRecord(b, MBR_TABLE_OFFSET + slot * MBR_ENTRY_SIZE, slot));
  }
  return {
    hasSignature:
      b.u8(MBR_BOOT_SIGNATURE_OFFSET) === 0x55 && b.u8(MBR_BOOT_SIGNATURE_OFFSET + 1) === 0xaa,
    diskSignature: b.u32le(MBR_DISK_SIGNATURE_OFFSET),
    entries,
  };
}

/** An entry is in use when its size is non-zero (Linux and libblkid ignore the type). */
export const isUsed = (e: MbrEntry): boolean => e.sectors !== 0;
