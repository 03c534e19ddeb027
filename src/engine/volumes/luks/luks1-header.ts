// The LUKS1 partition header (phdr) and its eight key slot descriptors, decoded and then
// validated the way cryptsetup validates them before it trusts a header: every key slot
// (active or not) must lie after the header, before the payload, inside the device and
// apart from the others, because a header that breaks this (cryptsetup's evil_hdr-*
// images) would make the keyslot areas overlap the data or each other.
// Reference: LUKS1 On-Disk Format Specification 1.2.3, section 4.1 (phdr layout, all
// fields big-endian) and 4.2 (key slot layout); cryptsetup lib/luks1/keymanage.c
// (LUKS_check_keyslots, LUKS_check_device_size).

import { corrupt, unsupported } from '../../errors.js';
import { Bytes, toHex } from '../../io/bytes.js';
import type { BlockSource } from '../../io/block-source.js';
import { checkKeyBytes, parseCipherSpec, type CipherSpec } from './cipher-spec.js';
import { MAX_KEY_BYTES, MAX_KEY_MATERIAL_BYTES, MAX_PBKDF2_ITERATIONS, SECTOR } from './limits.js';

export const LUKS_MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]; // "LUKS\xba\xbe"
export const LUKS1_HEADER_BYTES = 592;
const KEYSLOT_BASE = 208;
const KEYSLOT_BYTES = 48;
const KEY_ENABLED = 0x00ac71f3;
const KEY_DISABLED = 0x0000dead;
const STRUCTURE = 'LUKS1 header';

export interface Luks1Keyslot {
  index: number;
  active: boolean;
  iterations: number;
  salt: Uint8Array;
  /** First sector of the key material. */
  keyMaterialOffset: number;
  stripes: number;
  /** Byte offset of this descriptor (for error messages). */
  descriptorOffset: number;
}

export interface Luks1Header {
  version: 1;
  cipherName: string;
  cipherMode: string;
  /** The cipher specification, or the `unsupported` error it would raise on unlock. */
  spec: CipherSpec | Error;
  hashSpec: string;
  /** Payload start in 512-byte sectors. */
  payloadOffset: number;
  keyBytes: number;
  mkDigest: Uint8Array;
  mkDigestSalt: Uint8Array;
  mkDigestIterations: number;
  uuid: string;
  keyslots: Luks1Keyslot[];
}

/** Sectors of key material a slot occupies. */
export const materialSectors = (keyBytes: number, stripes: number) =>
  Math.ceil((keyBytes * stripes) / SECTOR);

function decodeKeyslot(h: Bytes, index: number): Luks1Keyslot {
  const off = KEYSLOT_BASE + index * KEYSLOT_BYTES;
  const active = h.u32be(off);
  if (active !== KEY_ENABLED && active !== KEY_DISABLED) {
    throw corrupt(
      `LUKS1 keyslot ${index}`,
      off,
      'bad active flag',
      'ac71f3|dead',
      active.toString(16),
    );
  }
  return {
    index,
    active: active === KEY_ENABLED,
    iterations: h.u32be(off + 4),
    salt: h.raw(off + 8, 32).slice(),
    keyMaterialOffset: h.u32be(off + 40),
    stripes: h.u32be(off + 44),
    descriptorOffset: off,
  };
}

/** Decodes the 592-byte phdr (step 1: raw fields; no cross-field checks yet). */
export function decodeLuks1(buf: Uint8Array): Luks1Header {
  const h = new Bytes(buf, STRUCTURE, 0);
  if (!LUKS_MAGIC.every((b, i) => buf[i] === b)) {
    throw corrupt(STRUCTURE, 0, 'bad magic', '4c554b53babe', toHex(h.raw(0, 6)));
  }
  const cipherName = h.ascii(8, 32);
  const cipherMode = h.ascii(40, 32);
  let spec: CipherSpec | Error;
  try {
    spec = parseCipherSpec(`${cipherName}-${cipherMode}`);
  } catch (e) {
    spec = e as Error;
  }
  return {
    version: 1,
    cipherName,
    cipherMode,
    spec,
    hashSpec: h.ascii(72, 32),
    payloadOffset: h.u32be(104),
    keyBytes: h.u32be(108),
    mkDigest: h.raw(112, 20).slice(),
    mkDigestSalt: h.raw(132, 32).slice(),
    mkDigestIterations: h.u32be(164),
    uuid: h.ascii(168, 40),
    keyslots: Array.from({ length: 8 }, (_, i) => decodeKeyslot(h, i)),
  };
}

function checkKeyslot(hdr: Luks1Header, ks: Luks1Keyslot, deviceSectors: number): void {
  const where = `LUKS1 keyslot ${ks.index}`;
  const off = ks.descriptorOffset;
  if (ks.stripes < 1 || hdr.keyBytes * ks.stripes > MAX_KEY_MATERIAL_BYTES) {
    throw corrupt(
      where,
      off + 44,
      'AF stripes out of range',
      `1..${MAX_KEY_MATERIAL_BYTES / hdr.keyBytes}`,
      ks.stripes,
    );
  }
  if (ks.active && (ks.iterations < 1 || ks.iterations > MAX_PBKDF2_ITERATIONS)) {
    throw corrupt(
      where,
      off + 4,
      'iterations out of range',
      `1..${MAX_PBKDF2_ITERATIONS}`,
      ks.iterations,
    );
  }
  const start = ks.keyMaterialOffset;
  const end = start + materialSectors(hdr.keyBytes, ks.stripes);
  if (start * SECTOR < LUKS1_HEADER_BYTES) {
    throw corrupt(
      where,
      off + 40,
      'key material overlaps the header',
      `>= ${Math.ceil(LUKS1_HEADER_BYTES / SECTOR)}`,
      start,
    );
  }
  if (hdr.payloadOffset !== 0 && end > hdr.payloadOffset) {
    throw corrupt(
      where,
      off + 40,
      'key material overlaps the payload',
      `end <= ${hdr.payloadOffset}`,
      end,
    );
  }
  if (end > deviceSectors) {
    throw corrupt(
      where,
      off + 40,
      'key material lies past the end of the device',
      `end <= ${deviceSectors}`,
      end,
    );
  }
}

function checkOverlaps(hdr: Luks1Header): void {
  const areas = hdr.keyslots.map((ks) => ({
    ks,
    start: ks.keyMaterialOffset,
    end: ks.keyMaterialOffset + materialSectors(hdr.keyBytes, ks.stripes),
  }));
  for (const a of areas) {
    for (const b of areas) {
      if (a.ks.index < b.ks.index && a.start < b.end && b.start < a.end) {
        throw corrupt(
          `LUKS1 keyslot ${a.ks.index}`,
          a.ks.descriptorOffset + 40,
          `key material overlaps keyslot ${b.ks.index}`,
        );
      }
    }
  }
}

/** Validates a decoded header against itself and a device of `deviceSize` bytes
 * (step 2: the invariants everything downstream relies on). */
export function validateLuks1(hdr: Luks1Header, deviceSize: number): void {
  if (hdr.keyBytes < 1 || hdr.keyBytes > MAX_KEY_BYTES) {
    throw corrupt(STRUCTURE, 108, 'key-bytes out of range', `1..${MAX_KEY_BYTES}`, hdr.keyBytes);
  }
  if (!(hdr.spec instanceof Error)) checkKeyBytes(hdr.spec, hdr.keyBytes, STRUCTURE, 108);
  if (hdr.mkDigestIterations < 1 || hdr.mkDigestIterations > MAX_PBKDF2_ITERATIONS) {
    throw corrupt(
      STRUCTURE,
      164,
      'mk-digest-iter out of range',
      `1..${MAX_PBKDF2_ITERATIONS}`,
      hdr.mkDigestIterations,
    );
  }
  if (hdr.payloadOffset === 0) {
    throw unsupported(
      'LUKS1 detached header',
      'payload-offset 0 means the data is on another device',
    );
  }
  const deviceSectors = Math.floor(deviceSize / SECTOR);
  if (hdr.payloadOffset > deviceSectors) {
    throw corrupt(
      STRUCTURE,
      104,
      'payload-offset lies past the end of the device',
      `<= ${deviceSectors}`,
      hdr.payloadOffset,
    );
  }
  for (const ks of hdr.keyslots) checkKeyslot(hdr, ks, deviceSectors);
  checkOverlaps(hdr);
}

/** Reads, decodes and validates the LUKS1 header of `src`. */
export function readLuks1(src: BlockSource): Luks1Header {
  if (src.size < LUKS1_HEADER_BYTES) {
    throw corrupt(
      STRUCTURE,
      0,
      'device smaller than the header',
      `>= ${LUKS1_HEADER_BYTES}`,
      src.size,
    );
  }
  const hdr = decodeLuks1(src.readAt(0, LUKS1_HEADER_BYTES));
  validateLuks1(hdr, src.size);
  return hdr;
}
