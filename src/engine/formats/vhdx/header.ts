// The VHDX header section: the file type identifier ("vhdxfile" + creator) at 0 and two
// 4 KiB headers at 64 KiB and 128 KiB. Writers update the headers alternately, so the
// current one is the valid header (signature and CRC-32C) with the larger sequence number.
// Reference: [MS-VHDX] v20160714 §2.2.1 File Type Identifier, §2.2.2 Headers, and §2.2.2.1
// "the header with the greatest SequenceNumber is the current header"; QEMU block/vhdx.c
// vhdx_parse_header (identical headers with equal numbers, as Disk2vhd writes them, are fine).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { crc32c } from '../../util/crc32.js';

export const FILE_ID_STRUCTURE = 'VHDX file identifier';
export const HEADER_STRUCTURE = 'VHDX header';
export const FILE_ID_SIGNATURE = 'vhdxfile';
const HEADER_SIGNATURE = 'head';
export const HEADER_OFFSETS = [64 * 1024, 128 * 1024] as const;
export const HEADER_SIZE = 4096;
export const MiB = 1024 * 1024;
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export interface VhdxHeader {
  /** Where this copy was read (64 KiB or 128 KiB). */
  readonly offset: number;
  readonly sequenceNumber: bigint;
  readonly fileWriteGuid: string;
  readonly dataWriteGuid: string;
  /** Non-zero: the log holds entries that must be replayed before the metadata is trusted. */
  readonly logGuid: string;
  readonly logGuidBytes: Uint8Array;
  readonly logVersion: number;
  readonly version: number;
  readonly logLength: number;
  readonly logOffset: number;
  /** The header's raw bytes (two valid headers with one number must be identical). */
  readonly raw: Uint8Array;
}

/** "vhdxfile" and the creator string (UTF-16LE, 512 bytes). */
export function readFileIdentifier(file: BlockSource): { creator: string } {
  if (file.size < 1 * MiB) {
    throw corrupt(
      FILE_ID_STRUCTURE,
      0,
      'file shorter than the 1 MiB header section',
      `>= ${MiB}`,
      file.size,
    );
  }
  const b = new Bytes(file.readAt(0, 520), FILE_ID_STRUCTURE, 0);
  if (!b.equals(0, FILE_ID_SIGNATURE)) {
    throw corrupt(
      FILE_ID_STRUCTURE,
      0,
      'bad signature',
      FILE_ID_SIGNATURE,
      JSON.stringify(b.ascii(0, 8)),
    );
  }
  return { creator: b.utf16le(8, 512) };
}

/** A CRC-32C over `buf` with its 4-byte checksum field at `at` taken as zero. */
export function checksumWithoutField(buf: Uint8Array, at: number): number {
  const copy = buf.slice();
  copy.fill(0, at, at + 4);
  return crc32c(copy);
}

/** Decode one header copy, or explain why it is not valid. */
export function parseHeader(buf: Uint8Array, offset: number): VhdxHeader | { error: Error } {
  const b = new Bytes(buf, HEADER_STRUCTURE, offset);
  if (!b.equals(0, HEADER_SIGNATURE)) {
    return {
      error: corrupt(
        HEADER_STRUCTURE,
        offset,
        'bad signature',
        HEADER_SIGNATURE,
        JSON.stringify(b.ascii(0, 4)),
      ),
    };
  }
  const sum = checksumWithoutField(buf, 4);
  if (b.u32le(4) !== sum) {
    return {
      error: corrupt(HEADER_STRUCTURE, offset + 4, 'checksum mismatch', hex(sum), hex(b.u32le(4))),
    };
  }
  return {
    offset,
    sequenceNumber: b.u64leBig(8),
    fileWriteGuid: b.guid(16),
    dataWriteGuid: b.guid(32),
    logGuid: b.guid(48),
    logGuidBytes: b.raw(48, 16).slice(),
    logVersion: b.u16le(64),
    version: b.u16le(66),
    logLength: b.u32le(68),
    logOffset: b.u64le(72, 'log offset'),
    raw: buf,
  };
}

/** Read both headers and return the current one, validated. */
export function readCurrentHeader(file: BlockSource): VhdxHeader {
  const copies = HEADER_OFFSETS.map((off) => parseHeader(file.readAt(off, HEADER_SIZE), off));
  const [h1, h2] = copies as [VhdxHeader | { error: Error }, VhdxHeader | { error: Error }];
  const ok1 = !('error' in h1);
  const ok2 = !('error' in h2);
  let current: VhdxHeader;
  if (ok1 && ok2) current = newer(h1, h2);
  else if (ok1) current = h1;
  else if (ok2) current = h2;
  else
    throw corrupt(
      HEADER_STRUCTURE,
      HEADER_OFFSETS[0],
      `neither header is valid (${h1.error.message}; ${h2.error.message})`,
    );
  validateHeader(current, file.size);
  return current;
}

function newer(h1: VhdxHeader, h2: VhdxHeader): VhdxHeader {
  if (h1.sequenceNumber > h2.sequenceNumber) return h1;
  if (h2.sequenceNumber > h1.sequenceNumber) return h2;
  for (let i = 0; i < HEADER_SIZE; i++) {
    if (h1.raw[i] !== h2.raw[i]) {
      throw corrupt(
        HEADER_STRUCTURE,
        h2.offset + 8,
        'two different valid headers with the same sequence number',
        'distinct numbers',
        String(h1.sequenceNumber),
      );
    }
  }
  return h1;
}

function validateHeader(h: VhdxHeader, fileSize: number): void {
  if (h.version !== 1) {
    throw corrupt(HEADER_STRUCTURE, h.offset + 66, 'unknown version', 1, h.version);
  }
  if (h.logVersion !== 0) {
    throw corrupt(HEADER_STRUCTURE, h.offset + 64, 'unknown log version', 0, h.logVersion);
  }
  if (h.logLength % MiB !== 0 || h.logOffset % MiB !== 0 || h.logOffset < MiB) {
    throw corrupt(
      HEADER_STRUCTURE,
      h.offset + 68,
      'log offset and length must be 1 MiB multiples past the header section',
      'MiB multiples',
      `${h.logOffset}+${h.logLength}`,
    );
  }
  if (h.logGuid !== ZERO_GUID && h.logOffset + h.logLength > fileSize) {
    throw corrupt(
      HEADER_STRUCTURE,
      h.offset + 72,
      'log extends past the end of the file',
      `<= ${fileSize}`,
      h.logOffset + h.logLength,
    );
  }
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}
