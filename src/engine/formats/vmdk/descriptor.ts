// The VMDK text descriptor: a small text file (or the text embedded in a hosted sparse
// extent) that names the disk's extents, its create type, content IDs and parent.
//
//   # Disk DescriptorFile
//   version=1
//   CID=fffffffe
//   parentCID=ffffffff
//   createType="twoGbMaxExtentSparse"
//   parentFileNameHint="base.vmdk"          (delta disks only)
//   RW 4192256 SPARSE "disk-s001.vmdk"      (access, size in sectors, type, file[, offset])
//   RDONLY 2048 ZERO
//   ddb.adapterType = "lsilogic"
//
// Reference: VMware "Virtual Disk Format 1.1", "The Descriptor File" and "Extent
// Descriptions"; QEMU block/vmdk.c vmdk_probe (what counts as a descriptor) and
// vmdk_parse_extents (the extent line grammar).

import { corrupt, unsupported } from '../../errors.js';
import { latin1 } from '../../io/bytes.js';

export const DESCRIPTOR_STRUCTURE = 'VMDK descriptor';
/**
 * Descriptors are a few hundred bytes (VMware reserves 10 KiB in a sparse extent); QEMU
 * refuses to read more than 1 MiB of one. A larger "descriptor" is not one.
 */
export const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
/**
 * twoGbMaxExtent* splits a disk into 2 GiB files, so 4096 extents describe 8 TiB, past the
 * largest hosted disk VMware creates (2 TiB for these subformats). Bounds the extent list.
 */
export const MAX_EXTENTS = 4096;
/** Sizes and offsets are in 512-byte sectors; past this their byte value exceeds 2^53. */
const MAX_SAFE_SECTORS = Math.floor(Number.MAX_SAFE_INTEGER / 512);
/** The parentCID of a disk without a parent. */
export const CID_NONE = 0xffffffff;

export const EXTENT_ACCESS = ['RW', 'RDONLY', 'NOACCESS'] as const;
export type ExtentAccess = (typeof EXTENT_ACCESS)[number];
/** Extent types of the spec (VMFSRDMP: a pass-through raw device mapping, as VMFSRDM). */
export const EXTENT_TYPES = [
  'FLAT',
  'SPARSE',
  'ZERO',
  'VMFS',
  'VMFSSPARSE',
  'SESPARSE',
  'VMFSRAW',
  'VMFSRDM',
  'VMFSRDMP',
] as const;
export type ExtentType = (typeof EXTENT_TYPES)[number];

export interface ExtentLine {
  readonly access: ExtentAccess;
  readonly sectors: number;
  readonly type: ExtentType;
  /** Absent only for ZERO extents. */
  readonly fileName: string | undefined;
  /** Start of the extent's data inside a flat file, in sectors. */
  readonly offset: number;
  /** The line as written, and its absolute byte offset (for errors). */
  readonly text: string;
  readonly at: number;
}

export interface Descriptor {
  readonly version: string | undefined;
  readonly cid: number | undefined;
  readonly parentCid: number | undefined;
  readonly createType: string | undefined;
  readonly parentFileNameHint: string | undefined;
  readonly extents: readonly ExtentLine[];
  /** `ddb.*` entries (adapter type, hardware version, geometry, UUIDs). */
  readonly ddb: ReadonlyMap<string, string>;
}

const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\S+)\s+(\S+)(?:\s+"([^"]*)")?(?:\s+(\S+))?\s*$/;
const ACCESS_WORD = /^(RW|RDONLY|NOACCESS)\s/;
const KEY_VALUE = /^([A-Za-z][\w.]*)\s*=\s*(.*?)\s*$/;

/**
 * Parse descriptor text. `bytes` may be NUL-padded (embedded descriptors are); `base` is
 * the absolute offset of bytes[0], for errors.
 */
export function parseDescriptor(bytes: Uint8Array, base: number): Descriptor {
  const end = bytes.indexOf(0);
  const text = bytes.subarray(0, end < 0 ? bytes.length : end);
  const values = new Map<string, { value: string; at: number }>();
  const ddb = new Map<string, string>();
  const extents: ExtentLine[] = [];
  for (const { line, at } of lines(text, base)) {
    if (line === '' || line.startsWith('#')) continue;
    if (ACCESS_WORD.test(line)) {
      if (extents.length >= MAX_EXTENTS) {
        throw corrupt(DESCRIPTOR_STRUCTURE, at, 'too many extents (MAX_EXTENTS)', MAX_EXTENTS);
      }
      extents.push(parseExtentLine(line, at));
      continue;
    }
    // Other lines (VMware tools add their own) carry nothing we read; QEMU skips them too.
    const kv = KEY_VALUE.exec(line);
    if (!kv) continue;
    const value = unquote(kv[2]!);
    if (kv[1]!.startsWith('ddb.')) ddb.set(kv[1]!, value);
    else values.set(kv[1]!, { value, at });
  }
  return {
    version: values.get('version')?.value,
    cid: contentId(values.get('CID'), 'CID'),
    parentCid: contentId(values.get('parentCID'), 'parentCID'),
    createType: values.get('createType')?.value,
    parentFileNameHint: values.get('parentFileNameHint')?.value || undefined,
    extents,
    ddb,
  };
}

/** Lines with their absolute offsets; CR LF and LF both end a line. */
function* lines(text: Uint8Array, base: number): Generator<{ line: string; at: number }> {
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf(0x0a, start);
    if (nl < 0) nl = text.length;
    // Names are UTF-8 (encoding="UTF-8"); decoding per line keeps offsets exact.
    const raw = text.subarray(start, nl);
    const line = new TextDecoder('utf-8').decode(raw).trim();
    yield { line, at: base + start };
    start = nl + 1;
  }
}

function parseExtentLine(line: string, at: number): ExtentLine {
  const m = EXTENT_LINE.exec(line);
  if (!m) throw corrupt(DESCRIPTOR_STRUCTURE, at, `malformed extent line "${clip(line)}"`);
  const type = m[3]!;
  if (!(EXTENT_TYPES as readonly string[]).includes(type)) {
    throw unsupported(`VMDK extent type ${clip(type)}`, `in extent line "${clip(line)}"`);
  }
  const fileName = m[4];
  if (type !== 'ZERO' && (fileName === undefined || fileName === '')) {
    throw corrupt(DESCRIPTOR_STRUCTURE, at, `${type} extent without a file name`);
  }
  return {
    access: m[1] as ExtentAccess,
    sectors: sectorCount(m[2]!, at, 'extent size'),
    type: type as ExtentType,
    fileName: type === 'ZERO' ? undefined : fileName,
    offset: m[5] === undefined ? 0 : sectorCount(m[5], at, 'extent offset'),
    text: line,
    at,
  };
}

function sectorCount(word: string, at: number, what: string): number {
  if (!/^\d{1,16}$/.test(word)) {
    throw corrupt(DESCRIPTOR_STRUCTURE, at, `${what} is not a sector count`, 'decimal', word);
  }
  const n = Number(word);
  if (n > MAX_SAFE_SECTORS) {
    throw corrupt(
      DESCRIPTOR_STRUCTURE,
      at,
      `${what} exceeds 2^53 bytes`,
      `<= ${MAX_SAFE_SECTORS}`,
      n,
    );
  }
  return n;
}

/** CID and parentCID are 32-bit hexadecimal numbers (QEMU reads them with %x). */
function contentId(
  entry: { value: string; at: number } | undefined,
  key: string,
): number | undefined {
  if (!entry) return undefined;
  if (!/^[0-9a-fA-F]{1,8}$/.test(entry.value)) {
    throw corrupt(
      DESCRIPTOR_STRUCTURE,
      entry.at,
      `${key} is not a 32-bit hex number`,
      'hex',
      entry.value,
    );
  }
  return parseInt(entry.value, 16);
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Does this look like a descriptor file? VMware's begin "# Disk DescriptorFile"; QEMU also
 * accepts comment and blank lines followed by "version=1|2|3". Cheap, never throws.
 */
export function looksLikeDescriptor(head: Uint8Array, size: number): boolean {
  if (size > MAX_DESCRIPTOR_BYTES || head.length < 9) return false;
  const text = latin1(head.subarray(0, Math.min(head.length, 4096)));
  if (/^# Disk DescriptorFile/i.test(text)) return true;
  for (const line of text.split('\n')) {
    const t = line.replace(/\r$/, '');
    if (t.startsWith('#') || /^ *$/.test(t)) continue;
    return /^version=[123]$/.test(t);
  }
  return false;
}
