// An LVM2 text metadata area: a 512-byte mda_header (CRC, magic " LVM2 x[5A%r0N*>", version
// 1, its own absolute start and the area size, and a zero-terminated list of raw_locn) at
// the start of the area, and after it a circular buffer of VG metadata texts. raw_locn[0]
// points at the committed text (offset relative to the area start, size, CRC of the text,
// flags); a text that reaches the end of the area continues right after the header.
// Reference: LVM2 lib/format_text/layout.h (struct mda_header, struct raw_locn,
// RAW_LOCN_IGNORED), lib/format_text/format-text.c (_raw_read_mda_header, the wrap in
// _vg_read_raw_area, read_metadata_location_summary's free-space formula).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes, checkedAlloc, latin1 } from '../../io/bytes.js';
import { type DiskLocn, lvmCrc } from './label.js';

export const MDA_HEADER_SIZE = 512;
export const MDA_STRUCTURE = 'LVM2 metadata area header';
export const TEXT_STRUCTURE = 'LVM2 metadata text';
const FMTT_MAGIC = ' LVM2 x[5A%r0N*>';
const FMTT_VERSION = 1;
const RAW_LOCN_SIZE = 24;
const RAW_LOCN_IGNORED = 1;
/**
 * Largest metadata text we read. lvm2 itself refuses a copy larger than half the area, and
 * areas are 1 MiB by default (pvcreate --metadatasize rarely goes beyond a few MiB); 16 MiB
 * holds thousands of LVs.
 */
export const MAX_METADATA_TEXT = 16 << 20;

export interface RawLocn {
  /** Byte offset of the text from the start of the metadata area. */
  offset: number;
  size: number;
  checksum: number;
  flags: number;
  /** RAW_LOCN_IGNORED: the area is kept but not used (vgchange --metadatacopies). */
  ignored: boolean;
}

export interface MdaHeader {
  /** Where the area is on the PV (from the pv_header's metadata area list). */
  area: DiskLocn;
  /** The size the header itself records (normally the area size). */
  size: number;
  /** raw_locn[0]: committed metadata; [1]: precommitted (only while lvm2 is writing). */
  rawLocns: RawLocn[];
}

export function readMdaHeader(src: BlockSource, area: DiskLocn): MdaHeader {
  if (area.size < 2 * MDA_HEADER_SIZE || area.offset + area.size > src.size) {
    throw corrupt(
      MDA_STRUCTURE,
      area.offset,
      'metadata area lies outside the device',
      src.size,
      area.offset + area.size,
    );
  }
  const h = new Bytes(src.readAt(area.offset, MDA_HEADER_SIZE), MDA_STRUCTURE, area.offset);
  const stored = h.u32le(0);
  const actual = lvmCrc(h.raw(4, MDA_HEADER_SIZE - 4));
  if (stored !== actual)
    throw corrupt(MDA_STRUCTURE, area.offset, 'checksum_xl mismatch', stored, actual);
  if (!h.equals(4, FMTT_MAGIC)) {
    throw corrupt(MDA_STRUCTURE, area.offset + 4, 'bad magic', FMTT_MAGIC, latin1(h.raw(4, 16)));
  }
  const version = h.u32le(20);
  if (version !== FMTT_VERSION)
    throw corrupt(MDA_STRUCTURE, area.offset + 20, 'version', FMTT_VERSION, version);
  const start = h.u64le(24, 'start');
  if (start !== area.offset)
    throw corrupt(MDA_STRUCTURE, area.offset + 24, 'start', area.offset, start);
  const size = h.u64le(32, 'size');
  if (size < 2 * MDA_HEADER_SIZE || size > area.size) {
    throw corrupt(MDA_STRUCTURE, area.offset + 32, 'size does not fit the area', area.size, size);
  }
  return { area, size, rawLocns: readRawLocns(h) };
}

/** The raw_locn list ends at the first entry with offset 0 (lvm2's _xlate_mdah loop). */
function readRawLocns(h: Bytes): RawLocn[] {
  const out: RawLocn[] = [];
  for (let at = 40; at + RAW_LOCN_SIZE <= MDA_HEADER_SIZE; at += RAW_LOCN_SIZE) {
    const offset = h.u64le(at, 'raw_locn offset');
    if (offset === 0) break;
    const flags = h.u32le(at + 20);
    out.push({
      offset,
      size: h.u64le(at + 8, 'raw_locn size'),
      checksum: h.u32le(at + 16),
      flags,
      ignored: (flags & RAW_LOCN_IGNORED) !== 0,
    });
  }
  return out;
}

/** One metadata text as read from the circular buffer. */
export interface MetadataText {
  bytes: Uint8Array;
  /** Absolute device offset of byte `pos` of the text (it may have wrapped). */
  offsetOf(pos: number): number;
  /** Absolute offset of the text's first byte. */
  offset: number;
}

/** Read raw_locn `rl`'s text, joining a wrapped tail, and check its CRC. */
export function readMetadataText(src: BlockSource, mda: MdaHeader, rl: RawLocn): MetadataText {
  const base = mda.area.offset;
  const locnAt = base + 40;
  if (rl.offset < MDA_HEADER_SIZE || rl.offset >= mda.size) {
    throw corrupt(
      MDA_STRUCTURE,
      locnAt,
      'raw_locn offset outside the text buffer',
      `${MDA_HEADER_SIZE}..${mda.size}`,
      rl.offset,
    );
  }
  checkedAlloc(MDA_STRUCTURE, locnAt + 8, rl.size, MAX_METADATA_TEXT, 'MAX_METADATA_TEXT');
  const first = Math.min(rl.size, mda.size - rl.offset);
  const wrap = rl.size - first;
  // A wrapped tail restarts after the header and must not reach the text's own start.
  if (wrap > rl.offset - MDA_HEADER_SIZE) {
    throw corrupt(
      MDA_STRUCTURE,
      locnAt + 8,
      'metadata too large for the circular buffer',
      mda.size - MDA_HEADER_SIZE,
      rl.size,
    );
  }
  const bytes = new Uint8Array(rl.size);
  bytes.set(src.readAt(base + rl.offset, first), 0);
  if (wrap > 0) bytes.set(src.readAt(base + MDA_HEADER_SIZE, wrap), first);
  const crc = lvmCrc(bytes);
  if (crc !== rl.checksum) {
    throw corrupt(
      TEXT_STRUCTURE,
      base + rl.offset,
      'checksum mismatch (raw_locn checksum)',
      rl.checksum,
      crc,
    );
  }
  return {
    bytes,
    offset: base + rl.offset,
    offsetOf: (pos) =>
      pos < first ? base + rl.offset + pos : base + MDA_HEADER_SIZE + (pos - first),
  };
}

/**
 * pv_mda_free as lvm2 2.03 reports it, in bytes: half the text buffer (so a new copy fits
 * beside the old one) less a sector of alignment slack, less the current text, in whole
 * sectors (read_metadata_location_summary).
 */
export function mdaFreeBytes(mda: MdaHeader, committed: RawLocn | undefined): number {
  const maxSize = Math.floor((mda.size - MDA_HEADER_SIZE) / 2) - 512;
  const used = committed ? committed.size : 0;
  if (used >= maxSize) return 0;
  return Math.floor((maxSize - used) / 512) * 512;
}
