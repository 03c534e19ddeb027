// The GUID partition table as a partition table: find the header (512- or 4096-byte
// sectors), fall back to the backup when the primary is damaged, and read the protective
// or hybrid MBR in sector 0.
//
// Sector size: an image file does not say its logical sector size, so we look for
// "EFI PART" at LBA 1 with 512-byte sectors, then at byte 4096 (a 4Kn disk), then for a
// backup header at the last LBA of each.
// Damage: the primary header and its entry array are used when both check out; otherwise
// the backup (at the last LBA, or at the AlternateLBA the primary names, for disks that
// were grown) with a warning; both bad → corrupt naming the primary's fault and the
// backup's. A header whose entry array lies past the end of a truncated image still gives
// the disk GUID, with no partitions and a warning.
// Protective and hybrid MBR: GPT wins. A hybrid MBR entry that starts where a GPT partition
// starts gives that partition its mbrId (the type byte BIOS and legacy OSes see);
// part_get_mbr_id still refuses GPT tables (see layout.ts partGetMbrId).
// Reference: UEFI Specification 2.10 §5.3 "GUID Partition Table (GPT) Disk Layout" (§5.3.2
// primary/backup rules), §5.2.3 "Protective MBR"; Linux block/partitions/efi.c
// find_valid_gpt(); GNU parted labels/gpt.c (the "boot" flag of a GPT partition is its
// ESP type, which libguestfs' part_get_bootable reports).

import { EngineError, corrupt } from '../errors.js';
import type { BlockSource } from '../io/block-source.js';
import {
  MBR_SECTOR_SIZE,
  MBR_TYPE_GPT_PROTECTIVE,
  decodeBootRecord,
  isUsed,
} from './boot-record.js';
import { GPT_TYPE_ESP, readGptEntries, type GptEntry } from './gpt-entries.js';
import { decodeGptHeader, hasGptSignature, rawAlternateLba, type GptHeader } from './gpt-header.js';
import { boundsWarnings, nestedLabelWarnings, overlapWarnings } from './layout.js';
import type { Partition, PartitionTable, PartitionTableDriver } from './types.js';

/** Logical sector sizes tried, in order. */
export const GPT_SECTOR_SIZES: readonly number[] = [512, 4096];

interface LoadedGpt {
  header: GptHeader;
  entries: GptEntry[];
}

const isCorrupt = (e: unknown): e is EngineError =>
  e instanceof EngineError && e.kind === 'corrupt';

function readSector(disk: BlockSource, lba: number, ss: number): Uint8Array {
  const offset = lba * ss;
  if (!Number.isSafeInteger(offset) || offset + ss > disk.size) {
    throw corrupt(
      'GPT header',
      offset,
      'lies past the end of the disk',
      `<= ${disk.size}`,
      offset + ss,
    );
  }
  return disk.readAt(offset, ss);
}

function loadHeader(disk: BlockSource, lba: number, ss: number): GptHeader {
  return decodeGptHeader(readSector(disk, lba, ss), lba, ss);
}

function loadAt(disk: BlockSource, lba: number, ss: number): LoadedGpt {
  const header = loadHeader(disk, lba, ss);
  return { header, entries: readGptEntries(disk, header) };
}

const lastLbaOf = (disk: BlockSource, ss: number): number => Math.floor(disk.size / ss) - 1;

function signatureAt(disk: BlockSource, lba: number, ss: number): boolean {
  const offset = lba * ss;
  return lba >= 1 && offset + ss <= disk.size && hasGptSignature(disk.readAt(offset, 8));
}

/** The sector size whose LBA 1 (or, failing that, last LBA) holds "EFI PART". */
export function detectGptSectorSize(disk: BlockSource): number {
  for (const ss of GPT_SECTOR_SIZES) if (signatureAt(disk, 1, ss)) return ss;
  for (const ss of GPT_SECTOR_SIZES) if (signatureAt(disk, lastLbaOf(disk, ss), ss)) return ss;
  throw corrupt(
    'GPT header',
    MBR_SECTOR_SIZE,
    'no "EFI PART" signature at LBA 1 or at the last LBA (512- or 4096-byte sectors)',
  );
}

/** Candidate LBAs of the backup header: the last LBA, then the primary's AlternateLBA. */
function backupCandidates(disk: BlockSource, ss: number): number[] {
  const out = [lastLbaOf(disk, ss)];
  if (disk.size >= 2 * ss) {
    const alt = rawAlternateLba(disk.readAt(ss, ss));
    if (alt !== undefined && !out.includes(alt)) out.push(alt);
  }
  return out.filter((lba) => lba > 1);
}

/** loadAt, with a corrupt error returned rather than thrown (I/O errors still throw). */
function tryLoad(disk: BlockSource, lba: number, ss: number): LoadedGpt | EngineError {
  try {
    return loadAt(disk, lba, ss);
  } catch (e) {
    if (!isCorrupt(e)) throw e;
    return e;
  }
}

/** Choose the primary or a backup; see the file comment for the rules. */
function chooseGpt(disk: BlockSource, ss: number, warnings: string[]): LoadedGpt {
  const primary = tryLoad(disk, 1, ss);
  if (!(primary instanceof EngineError)) {
    warnings.push(...backupWarnings(disk, primary.header));
    return primary;
  }
  let backupError: EngineError | undefined;
  for (const lba of backupCandidates(disk, ss)) {
    const backup = tryLoad(disk, lba, ss);
    if (!(backup instanceof EngineError)) {
      warnings.push(`primary GPT is damaged (${primary.message}); using the backup at LBA ${lba}`);
      return backup;
    }
    backupError ??= backup;
  }
  const truncated = headerOfTruncatedImage(disk, ss, primary);
  if (!truncated) throw bothDamaged(primary, backupError);
  warnings.push(
    `the GPT entry array lies past the end of the image (truncated?): ${primary.message}`,
  );
  return { header: truncated, entries: [] };
}

/** One error for both copies: the primary's structure and offset, both faults in the text. */
function bothDamaged(primary: EngineError, backup: EngineError | undefined): EngineError {
  const backupText = backup ? backup.message : 'no backup header found';
  return new EngineError('corrupt', `primary GPT: ${primary.message}; backup GPT: ${backupText}`, {
    structure: primary.structure,
    offset: primary.offset,
    expected: primary.expected,
    actual: primary.actual,
  });
}

/** The primary header, when it is valid and only its entry array is cut off by the image end. */
function headerOfTruncatedImage(
  disk: BlockSource,
  ss: number,
  err: EngineError,
): GptHeader | undefined {
  if (err.structure !== 'GPT entry array') return undefined;
  const header = loadHeader(disk, 1, ss);
  const end =
    header.partitionEntryLba * ss + header.numberOfPartitionEntries * header.sizeOfPartitionEntry;
  return end > disk.size ? header : undefined;
}

/** With a good primary, say what is wrong with the backup (never fatal). */
function backupWarnings(disk: BlockSource, primary: GptHeader): string[] {
  const last = lastLbaOf(disk, primary.sectorSize);
  const out: string[] = [];
  if (primary.alternateLba !== last) {
    out.push(
      `the backup GPT header is at LBA ${primary.alternateLba}, not at the last LBA ${last}`,
    );
  }
  const backup = tryLoad(disk, primary.alternateLba, primary.sectorSize);
  if (backup instanceof EngineError) out.push(`backup GPT is damaged: ${backup.message}`);
  return out;
}

function toPartition(e: GptEntry, ss: number): Partition {
  const start = e.startingLba * ss;
  const size = (e.endingLba - e.startingLba + 1) * ss;
  if (!Number.isSafeInteger(start + size)) {
    throw corrupt(
      'GPT entry',
      e.offset + 32,
      'partition ends beyond 2^53 bytes',
      '< 2^53',
      `LBA ${e.endingLba}`,
    );
  }
  return {
    partnum: e.index + 1,
    start,
    size,
    kind: 'primary',
    bootable: e.typeGuid === GPT_TYPE_ESP,
    gptType: e.typeGuid,
    gptGuid: e.uniqueGuid,
    name: e.name,
    gptAttributes: e.attributes.toString(),
  };
}

/** Entries outside FirstUsableLBA..LastUsableLBA, and a table made for a bigger disk. */
function usableRangeWarnings(h: GptHeader, entries: GptEntry[], disk: BlockSource): string[] {
  const out: string[] = [];
  const last = lastLbaOf(disk, h.sectorSize);
  if (h.lastUsableLba > last) {
    out.push(
      `LastUsableLBA ${h.lastUsableLba} is past the last LBA of the disk (${last}): truncated image?`,
    );
  }
  for (const e of entries) {
    if (e.startingLba < h.firstUsableLba || e.endingLba > h.lastUsableLba) {
      out.push(
        `partition ${e.index + 1} lies outside the usable LBAs ${h.firstUsableLba}..${h.lastUsableLba}`,
      );
    }
  }
  return out;
}

/** Sector 0: warn when there is no protective entry; copy hybrid type bytes onto partitions. */
function applyMbr(
  disk: BlockSource,
  ss: number,
  partitions: Partition[],
  warnings: string[],
): void {
  if (disk.size < MBR_SECTOR_SIZE) return;
  const rec = decodeBootRecord(disk.readAt(0, MBR_SECTOR_SIZE), 0, 'MBR');
  if (!rec.hasSignature || !rec.entries.some((e) => e.type === MBR_TYPE_GPT_PROTECTIVE)) {
    warnings.push('sector 0 is not a protective MBR (no 0x55AA signature or no 0xEE entry)');
    return;
  }
  const hybrid = rec.entries.filter((e) => isUsed(e) && e.type !== MBR_TYPE_GPT_PROTECTIVE);
  if (hybrid.length === 0) return;
  warnings.push(
    `hybrid MBR: ${hybrid.length} MBR entries besides the protective one; the GPT is used`,
  );
  for (const e of hybrid) {
    const p = partitions.find((q) => q.start === e.startLba * ss);
    if (p) p.mbrId = e.type;
    else
      warnings.push(
        `hybrid MBR entry ${e.slot + 1} (type 0x${e.type.toString(16)}) matches no GPT partition`,
      );
  }
}

function openGpt(disk: BlockSource): PartitionTable {
  const ss = detectGptSectorSize(disk);
  const warnings: string[] = [];
  const { header, entries } = chooseGpt(disk, ss, warnings);
  const partitions = entries.map((e) => toPartition(e, ss));
  warnings.push(...usableRangeWarnings(header, entries, disk));
  applyMbr(disk, ss, partitions, warnings);
  warnings.push(
    ...boundsWarnings(partitions, disk.size),
    ...overlapWarnings(partitions),
    ...nestedLabelWarnings(partitions),
  );
  return {
    type: 'gpt',
    sectorSize: ss,
    partitions,
    id: header.diskGuid,
    warnings,
    firstUsableLba: header.firstUsableLba,
    lastUsableLba: header.lastUsableLba,
  };
}

/**
 * GPT when sector 0 has a protective (0xEE) entry, or when it holds no MBR partitions and
 * "EFI PART" is at LBA 1. An MBR with real partitions and a stale GPT header behind it is
 * MBR, as libblkid and Linux decide (both require the protective entry).
 */
function probeGpt(head: Uint8Array): boolean {
  if (head.length >= MBR_SECTOR_SIZE) {
    const rec = decodeBootRecord(head.subarray(0, MBR_SECTOR_SIZE), 0, 'MBR');
    if (rec.hasSignature && rec.entries.some((e) => e.type === MBR_TYPE_GPT_PROTECTIVE))
      return true;
    if (rec.hasSignature && rec.entries.some(isUsed)) return false;
  }
  return GPT_SECTOR_SIZES.some(
    (ss) => head.length >= ss + 8 && hasGptSignature(head.subarray(ss, ss + 8)),
  );
}

export const gptDriver = {
  name: 'gpt',
  probe(head: Uint8Array, _diskSize: number): boolean {
    try {
      return probeGpt(head);
    } catch {
      return false;
    }
  },
  open: openGpt,
} satisfies PartitionTableDriver;
