// The VHD hard disk footer: 512 big-endian bytes at the end of every VHD (and, for dynamic
// and differencing disks, a copy at offset 0). It names the disk type, the sizes and the
// dynamic header's offset.
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0 (2006),
// "Hard Disk Footer Format"; the size rule of QEMU block/vpc.c vpc_open.

import { corrupt } from '../../errors.js';
import { Bytes, formatUuid } from '../../io/bytes.js';

export const FOOTER_STRUCTURE = 'VHD footer';
export const FOOTER_SIZE = 512;
export const FOOTER_COOKIE = 'conectix';

export const DISK_FIXED = 2;
export const DISK_DYNAMIC = 3;
export const DISK_DIFFERENCING = 4;

/** Seconds between the Unix epoch and the VHD epoch (2000-01-01 00:00:00 UTC). */
const VHD_EPOCH = 946684800;
/** The largest CHS geometry (65535 cylinders, 16 heads, 255 sectors): a size too big for CHS. */
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255;
/**
 * Creator applications whose images QEMU sizes by the footer's current size rather than the
 * CHS geometry: Hyper-V ("win "), QEMU with force_size ("qem2"), Disk2vhd ("d2v "),
 * XenConverter ("CTXS") and XenServer ("tap\0"). Virtual PC ("vpc ") and plain QEMU ("qemu")
 * images are sized by geometry, which is what Virtual PC's BIOS saw.
 */
const CURRENT_SIZE_CREATORS = new Set(['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0']);

/** The raw fields, named as in the specification. */
export interface VhdFooterFields {
  cookie: string;
  features: number;
  fileFormatVersion: number;
  dataOffset: bigint;
  timeStamp: number;
  creatorApplication: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
  diskType: number;
  checksum: number;
  uniqueId: Uint8Array;
  savedState: number;
}

/** A validated footer. */
export interface VhdFooter {
  readonly fields: VhdFooterFields;
  /** Where the footer was read (size - 512, or 0 for the copy at the head). */
  readonly offset: number;
  readonly diskType: number;
  /** The guest-visible size, by QEMU's rule (see virtualSize()). */
  readonly virtualSize: number;
  readonly sizeRule: 'chs' | 'current-size';
  /** Offset of the dynamic disk header (dynamic and differencing disks only). */
  readonly dynamicHeaderOffset: number | undefined;
  readonly uniqueId: string;
}

export function decodeFooter(b: Bytes): VhdFooterFields {
  return {
    cookie: b.ascii(0, 8),
    features: b.u32be(8),
    fileFormatVersion: b.u32be(12),
    dataOffset: b.u64beBig(16),
    timeStamp: b.u32be(24),
    creatorApplication: latin1Field(b.raw(28, 4)),
    creatorVersion: b.u32be(32),
    creatorHostOs: latin1Field(b.raw(36, 4)),
    originalSize: b.u64be(40, 'original size'),
    currentSize: b.u64be(48, 'current size'),
    cylinders: b.u16be(56),
    heads: b.u8(58),
    sectorsPerTrack: b.u8(59),
    diskType: b.u32be(60),
    checksum: b.u32be(64),
    uniqueId: b.raw(68, 16),
    savedState: b.u8(84),
  };
}

/** Four bytes as Latin-1, NULs kept: "tap\0" must stay distinct from "tap ". */
function latin1Field(raw: Uint8Array): string {
  return String.fromCharCode(...raw);
}

/** Ones' complement of the byte sum of the footer (or dynamic header) without its checksum field. */
export function vhdChecksum(buf: Uint8Array, checksumAt: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) {
    if (i < checksumAt || i >= checksumAt + 4) sum += buf[i]!;
  }
  return ~sum >>> 0;
}

/** Cheap and pure: a "conectix" cookie with a matching checksum. */
export function looksLikeFooter(buf: Uint8Array, at: number): boolean {
  if (at < 0 || at + FOOTER_SIZE > buf.length) return false;
  const b = new Bytes(buf.subarray(at, at + FOOTER_SIZE), FOOTER_STRUCTURE);
  return b.equals(0, FOOTER_COOKIE) && b.u32be(64) === vhdChecksum(b.buf, 64);
}

/**
 * Decode and validate the footer read at `offset`; `fileSize` bounds the dynamic header.
 * Throws corrupt naming the footer and the field's absolute offset.
 */
export function parseFooter(buf: Uint8Array, offset: number, fileSize: number): VhdFooter {
  const b = new Bytes(buf, FOOTER_STRUCTURE, offset);
  const f = decodeFooter(b);
  if (!b.equals(0, FOOTER_COOKIE)) {
    throw corrupt(FOOTER_STRUCTURE, offset, 'bad cookie', FOOTER_COOKIE, JSON.stringify(f.cookie));
  }
  const sum = vhdChecksum(buf, 64);
  if (f.checksum !== sum) {
    throw corrupt(
      FOOTER_STRUCTURE,
      offset + 64,
      'checksum mismatch',
      hex32(sum),
      hex32(f.checksum),
    );
  }
  if (f.fileFormatVersion >>> 16 !== 1) {
    throw corrupt(
      FOOTER_STRUCTURE,
      offset + 12,
      'unknown file format version',
      '1.x',
      hex32(f.fileFormatVersion),
    );
  }
  if (
    f.diskType !== DISK_FIXED &&
    f.diskType !== DISK_DYNAMIC &&
    f.diskType !== DISK_DIFFERENCING
  ) {
    throw corrupt(FOOTER_STRUCTURE, offset + 60, 'unknown disk type', '2, 3 or 4', f.diskType);
  }
  const { virtualSize, sizeRule } = virtualSizeOf(f);
  return {
    fields: f,
    offset,
    diskType: f.diskType,
    virtualSize,
    sizeRule,
    dynamicHeaderOffset: dynamicHeaderOffset(f, offset, fileSize),
    uniqueId: formatUuid(f.uniqueId),
  };
}

/**
 * QEMU's rule (block/vpc.c): the size is the CHS geometry's (cylinders × heads × sectors ×
 * 512) unless the creator application is one that sizes by the footer's current size, or
 * the geometry is the maximum one (the disk is bigger than CHS can say).
 */
export function virtualSizeOf(f: VhdFooterFields): {
  virtualSize: number;
  sizeRule: 'chs' | 'current-size';
} {
  const chsSectors = f.cylinders * f.heads * f.sectorsPerTrack;
  if (CURRENT_SIZE_CREATORS.has(f.creatorApplication) || chsSectors === MAX_GEOMETRY_SECTORS) {
    // QEMU counts whole sectors: a current size that is not a multiple of 512 rounds down.
    return { virtualSize: Math.floor(f.currentSize / 512) * 512, sizeRule: 'current-size' };
  }
  return { virtualSize: chsSectors * 512, sizeRule: 'chs' };
}

function dynamicHeaderOffset(
  f: VhdFooterFields,
  offset: number,
  fileSize: number,
): number | undefined {
  if (f.diskType === DISK_FIXED) return undefined;
  const at = f.dataOffset;
  if (at + 1024n > BigInt(fileSize) || at % 512n !== 0n) {
    throw corrupt(
      FOOTER_STRUCTURE,
      offset + 16,
      'data offset (dynamic header) outside the file',
      `<= ${fileSize - 1024}`,
      at,
    );
  }
  return Number(at);
}

/** The footer time stamp as an ISO date. */
export function vhdTime(seconds: number): string {
  return new Date((VHD_EPOCH + seconds) * 1000).toISOString();
}

export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

export function diskTypeName(t: number): 'fixed' | 'dynamic' | 'differencing' {
  return t === DISK_FIXED ? 'fixed' : t === DISK_DYNAMIC ? 'dynamic' : 'differencing';
}
