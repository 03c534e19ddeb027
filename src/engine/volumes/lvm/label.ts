// LVM2 physical volume label: a 32-byte label_header ("LABELONE", its own sector number, a
// CRC and the offset of what follows) in one of the first four 512-byte sectors, then in the
// same sector the pv_header: the PV UUID, the device size, a zero-terminated list of data
// areas (where the extents start) and one of metadata areas (where the VG text lives), and
// since lvm2 2.02.110 a pv_header_extension (version, flags, bootloader areas).
// Reference: LVM2 lib/label/label.h (struct label_header), lib/label/label.c (the scan of
// sectors 0-3), lib/format_text/layout.h (struct pv_header, pv_header_extension,
// disk_locn), lib/misc/crc.c (calc_crc: CRC-32 0xEDB88320, seed 0xf597a6cf, no final xor).

import { EngineError, corrupt, unsupported } from '../../errors.js';
import { type BlockSource, readHead } from '../../io/block-source.js';
import { Bytes, latin1 } from '../../io/bytes.js';
import { crc32Update } from '../../util/crc32.js';

export const SECTOR = 512;
/** lvm2 looks for a label in sectors 0-3 only (LABEL_SCAN_SECTORS). */
export const LABEL_SCAN_SECTORS = 4;
/** calc_crc's seed (INITIAL_CRC in lib/misc/crc.h). */
export const LVM_INITIAL_CRC = 0xf597a6cf;
export const LABEL_STRUCTURE = 'LVM2 label header';
export const PV_HEADER_STRUCTURE = 'LVM2 PV header';
const LABEL_ID = 'LABELONE';
const LVM2_TYPE = 'LVM2 001';
/** crc_xl covers the label sector from offset_xl's field (byte 20) to the sector's end. */
const CRC_FROM = 20;
const ID_LEN = 32;
const DISK_LOCN_SIZE = 16;

/** lvm2's CRC: the raw CRC-32 register from INITIAL_CRC, which it stores as is. */
export function lvmCrc(data: Uint8Array, crc = LVM_INITIAL_CRC): number {
  return crc32Update(crc, data);
}

/** A byte range on the PV (struct disk_locn). A data area's size 0 means "to the end". */
export interface DiskLocn {
  offset: number;
  size: number;
}

export interface PvLabel {
  /** The sector (0-3) holding the label. */
  sector: number;
  /** The PV UUID: 32 characters, as stored (no dashes). */
  pvId: string;
  /** device_size_xl: the device size in bytes when the label was written. */
  deviceSize: number;
  dataAreas: DiskLocn[];
  metadataAreas: DiskLocn[];
  /** pv_header_extension version (0 when absent) and flags (bit 0: PV_EXT_USED). */
  extVersion: number;
  extFlags: number;
  bootloaderAreas: DiskLocn[];
}

/**
 * The PV label of a device, or undefined if none of sectors 0-3 starts with "LABELONE".
 * A label that is found but damaged (wrong sector number, CRC) is skipped the way lvm2
 * skips it; if no valid label remains, the first damage is thrown as `corrupt`.
 */
export function readPvLabel(src: BlockSource): PvLabel | undefined {
  const head = readHead(src, 0, LABEL_SCAN_SECTORS * SECTOR);
  let firstError: EngineError | undefined;
  for (let s = 0; s < LABEL_SCAN_SECTORS && (s + 1) * SECTOR <= head.length; s++) {
    const sector = new Bytes(
      head.subarray(s * SECTOR, (s + 1) * SECTOR),
      LABEL_STRUCTURE,
      s * SECTOR,
    );
    if (!sector.equals(0, LABEL_ID)) continue;
    try {
      return parseLabelSector(sector, s);
    } catch (e) {
      if (!(e instanceof EngineError) || e.kind !== 'corrupt') throw e;
      firstError ??= e;
    }
  }
  if (firstError) throw firstError;
  return undefined;
}

function parseLabelSector(b: Bytes, sector: number): PvLabel {
  const sectorXl = b.u64leBig(8);
  if (sectorXl !== BigInt(sector)) {
    throw corrupt(LABEL_STRUCTURE, b.base + 8, 'sector_xl names another sector', sector, sectorXl);
  }
  const crc = b.u32le(16);
  const actual = lvmCrc(b.raw(CRC_FROM, SECTOR - CRC_FROM));
  if (crc !== actual) throw corrupt(LABEL_STRUCTURE, b.base + 16, 'crc_xl mismatch', crc, actual);
  const type = b.ascii(24, 8);
  if (type !== LVM2_TYPE)
    throw unsupported(`LVM label type "${type}"`, 'only LVM2 001 labels are read');
  const offsetXl = b.u32le(20);
  // The pv_header must fit in the label sector: UUID, size and at least two list ends.
  if (offsetXl < 32 || offsetXl + ID_LEN + 8 + 2 * DISK_LOCN_SIZE > SECTOR) {
    throw corrupt(
      LABEL_STRUCTURE,
      b.base + 20,
      'offset_xl outside the label sector',
      '32..432',
      offsetXl,
    );
  }
  return parsePvHeader(b.sub(offsetXl, SECTOR - offsetXl, PV_HEADER_STRUCTURE), sector);
}

function parsePvHeader(h: Bytes, sector: number): PvLabel {
  const pvId = latin1(h.raw(0, ID_LEN));
  if (!/^[A-Za-z0-9!#]{32}$/.test(pvId)) {
    throw corrupt(PV_HEADER_STRUCTURE, h.base, 'pv_uuid is not a 32-character LVM id');
  }
  const deviceSize = h.u64le(ID_LEN, 'device_size_xl');
  let at = ID_LEN + 8;
  const data = readLocnList(h, at, 'data area list');
  at = data.next;
  const meta = readLocnList(h, at, 'metadata area list');
  at = meta.next;
  let extVersion = 0;
  let extFlags = 0;
  let bootloaderAreas: DiskLocn[] = [];
  // The extension is optional: labels written before lvm2 2.02.110 end here (zeros).
  if (at + 8 + DISK_LOCN_SIZE <= h.length) {
    extVersion = h.u32le(at);
    extFlags = h.u32le(at + 4);
    if (extVersion > 0) bootloaderAreas = readLocnList(h, at + 8, 'bootloader area list').list;
  }
  if (data.list.length === 0)
    throw corrupt(PV_HEADER_STRUCTURE, h.base + ID_LEN + 8, 'no data area');
  return {
    sector,
    pvId,
    deviceSize,
    dataAreas: data.list,
    metadataAreas: meta.list,
    extVersion,
    extFlags,
    bootloaderAreas,
  };
}

/** A zero-terminated disk_locn list; the label sector bounds its length. */
function readLocnList(h: Bytes, at: number, what: string): { list: DiskLocn[]; next: number } {
  const list: DiskLocn[] = [];
  for (;;) {
    if (at + DISK_LOCN_SIZE > h.length) {
      throw corrupt(PV_HEADER_STRUCTURE, h.base + at, `${what} runs past the label sector`);
    }
    const offset = h.u64le(at, 'disk_locn offset');
    const size = h.u64le(at + 8, 'disk_locn size');
    at += DISK_LOCN_SIZE;
    if (offset === 0 && size === 0) return { list, next: at };
    list.push({ offset, size });
  }
}
