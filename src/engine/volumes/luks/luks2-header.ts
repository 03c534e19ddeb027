// The LUKS2 binary header, stored twice: the primary at offset 0 ("LUKS\xba\xbe") and the
// secondary right after the primary's metadata area ("SKUL\xba\xbe"). Each covers its own
// JSON area with a checksum (the hash named in checksum_alg over hdr_size bytes, with the
// csum field zeroed). Both copies are read and validated - checksum, then the JSON - and
// the newer valid one (higher seqid) is used, so a damaged or stale primary falls back to
// the secondary, as cryptsetup does.
// Reference: LUKS2 On-Disk Format Specification 1.1, section 2 (binary header layout,
// big-endian fields, hdr_size values, secondary offsets) and 3.1 (checksum).

import { corrupt, EngineError } from '../../errors.js';
import { getHash, hashOf } from '../../crypto/hash.js';
import { Bytes, toHex } from '../../io/bytes.js';
import type { BlockSource } from '../../io/block-source.js';
import { LUKS2_HDR_SIZES, LUKS2_SECONDARY_OFFSETS } from './limits.js';
import { parseLuks2Metadata, type Luks2Metadata } from './luks2-metadata.js';

const BINARY_BYTES = 4096;
const MAGIC_PRIMARY = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe];
const MAGIC_SECONDARY = [0x53, 0x4b, 0x55, 0x4c, 0xba, 0xbe];
const CSUM_OFFSET = 448;
const CSUM_BYTES = 64;

export type HeaderCopy = 'primary' | 'secondary';

export interface Luks2Header {
  version: 2;
  copy: HeaderCopy;
  /** Where this copy sits in the device. */
  offset: number;
  hdrSize: number;
  seqid: bigint;
  label: string;
  checksumAlg: string;
  uuid: string;
  subsystem: string;
  metadata: Luks2Metadata;
}

const structureOf = (copy: HeaderCopy) => `LUKS2 ${copy} header`;

function checkMagic(h: Bytes, copy: HeaderCopy): void {
  const magic = copy === 'primary' ? MAGIC_PRIMARY : MAGIC_SECONDARY;
  if (!magic.every((b, i) => h.buf[i] === b)) {
    throw corrupt(
      h.structure,
      h.base,
      'bad magic',
      toHex(new Uint8Array(magic)),
      toHex(h.raw(0, 6)),
    );
  }
  if (h.u16be(6) !== 2) throw corrupt(h.structure, h.base + 6, 'bad version', 2, h.u16be(6));
}

function checkChecksum(area: Uint8Array, h: Bytes, alg: string): void {
  const hash = getHash(alg);
  const stored = h.raw(CSUM_OFFSET, CSUM_BYTES).slice(0, hash.outputLen);
  const copy = area.slice();
  copy.fill(0, CSUM_OFFSET, CSUM_OFFSET + CSUM_BYTES);
  const actual = hashOf(hash, copy);
  if (toHex(actual) !== toHex(stored)) {
    throw corrupt(
      h.structure,
      h.base + CSUM_OFFSET,
      'checksum mismatch',
      toHex(actual),
      toHex(stored),
    );
  }
}

/** The JSON text of a metadata area: UTF-8 up to the first NUL, which must exist. */
function jsonText(area: Uint8Array, structure: string, base: number): string {
  const json = area.subarray(BINARY_BYTES);
  const end = json.indexOf(0);
  if (end < 0) throw corrupt(structure, base + BINARY_BYTES, 'JSON area is not NUL-terminated');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(json.subarray(0, end));
  } catch {
    throw corrupt(structure, base + BINARY_BYTES, 'JSON area is not UTF-8');
  }
}

/** Reads and fully validates one header copy at `offset`. */
export function readHeaderCopy(src: BlockSource, offset: number, copy: HeaderCopy): Luks2Header {
  const structure = structureOf(copy);
  if (offset + BINARY_BYTES > src.size) {
    throw corrupt(
      structure,
      offset,
      'lies past the end of the device',
      src.size,
      offset + BINARY_BYTES,
    );
  }
  const head = new Bytes(src.readAt(offset, BINARY_BYTES), structure, offset);
  checkMagic(head, copy);
  const hdrSize = head.u64be(8, 'hdr_size');
  if (!(LUKS2_HDR_SIZES as readonly number[]).includes(hdrSize)) {
    throw corrupt(
      structure,
      offset + 8,
      'hdr_size is not a LUKS2 metadata size',
      '16 KiB..4 MiB',
      hdrSize,
    );
  }
  const hdrOffset = head.u64be(256, 'hdr_offset');
  if (hdrOffset !== offset)
    throw corrupt(structure, offset + 256, 'hdr_offset does not match', offset, hdrOffset);
  if (offset + hdrSize > src.size) {
    throw corrupt(
      structure,
      offset + 8,
      'metadata area lies past the end of the device',
      src.size,
      offset + hdrSize,
    );
  }
  const area = src.readAt(offset, hdrSize);
  const h = new Bytes(area, structure, offset);
  const checksumAlg = h.ascii(72, 32);
  checkChecksum(area, h, checksumAlg);
  const metadata = parseLuks2Metadata(
    jsonText(area, structure, offset),
    offset + BINARY_BYTES,
    hdrSize,
    src.size,
  );
  return {
    version: 2,
    copy,
    offset,
    hdrSize,
    seqid: h.u64beBig(16),
    label: h.utf8(24, 48),
    checksumAlg,
    uuid: h.ascii(168, 40),
    subsystem: h.utf8(208, 48),
    metadata,
  };
}

const hasMagic = (src: BlockSource, off: number, magic: number[]) => {
  if (off + BINARY_BYTES > src.size) return false;
  const b = src.readAt(off, magic.length);
  return magic.every((x, i) => b[i] === x);
};

/** Where to look for the secondary: after the primary's area when the primary says how
 * big it is (even a damaged primary usually still does), then at every offset the
 * specification allows. */
function secondaryOffsets(src: BlockSource): number[] {
  const offsets: number[] = [...LUKS2_SECONDARY_OFFSETS];
  if (hasMagic(src, 0, MAGIC_PRIMARY)) {
    const size = Number(new Bytes(src.readAt(0, 16), 'LUKS2 primary header').u64beBig(8));
    if (offsets.includes(size)) offsets.unshift(size);
  }
  return [...new Set(offsets)];
}

function attempt(fn: () => Luks2Header): Luks2Header | EngineError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
}

/** Reads both copies and returns the newer valid one. When neither is valid, throws the
 * primary's error - or the secondary's, when there is no primary signature at all. */
export function readLuks2(src: BlockSource): Luks2Header {
  const primary = attempt(() => readHeaderCopy(src, 0, 'primary'));
  let secondary: Luks2Header | EngineError | undefined;
  for (const off of secondaryOffsets(src)) {
    if (!hasMagic(src, off, MAGIC_SECONDARY)) continue;
    secondary = attempt(() => readHeaderCopy(src, off, 'secondary'));
    if (!(secondary instanceof EngineError)) break;
  }
  const valid = [primary, secondary].filter(
    (h): h is Luks2Header => h !== undefined && !(h instanceof EngineError),
  );
  if (valid.length === 2) return valid[1]!.seqid > valid[0]!.seqid ? valid[1]! : valid[0]!;
  if (valid.length === 1) return valid[0]!;
  if (!hasMagic(src, 0, MAGIC_PRIMARY) && secondary instanceof EngineError) throw secondary;
  throw primary as EngineError;
}
