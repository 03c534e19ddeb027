// The QCOW version 1 header (QEMU's original copy-on-write format, still met in old
// forensic corpora). Decode the raw fields, then validate into a QcowHeader.
// Reference: QEMU block/qcow.c (QCowHeader, qcow_open), the only specification of v1.

import { EngineError, corrupt } from '../../errors.js';
import type { Bytes } from '../../io/bytes.js';

export const QCOW1_STRUCTURE = 'qcow header';
export const QCOW_MAGIC = 0x514649fb; // "QFI\xfb", shared with qcow2
export const QCOW1_HEADER_LENGTH = 48;
/** qcow_open accepts 512-byte to 64 KiB clusters … */
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 16;
/** … and L2 tables of 512 bytes to 64 KiB (2^l2_bits entries of 8 bytes). */
export const MIN_L2_BITS = 6;
export const MAX_L2_BITS = 13;
/** The L1 table is read whole: bound it as QEMU bounds the qcow2 one (32 MiB). */
export const MAX_L1_BYTES = 32 * 1024 * 1024;
export const MAX_BACKING_FILE_NAME = 1023;
const CRYPT_AES = 1;

export interface QcowHeaderFields {
  magic: number;
  version: number;
  backing_file_offset: number;
  backing_file_size: number;
  mtime: number;
  size: number;
  cluster_bits: number;
  l2_bits: number;
  crypt_method: number;
  l1_table_offset: number;
}

export interface QcowHeader {
  readonly fields: QcowHeaderFields;
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly l2Bits: number;
  readonly l1Size: number;
  readonly virtualSize: number;
}

export function decodeQcowHeader(b: Bytes): QcowHeaderFields {
  return {
    magic: b.u32be(0),
    version: b.u32be(4),
    backing_file_offset: b.u64be(8, 'backing_file_offset'),
    backing_file_size: b.u32be(16),
    mtime: b.u32be(20),
    size: b.u64be(24, 'size'),
    cluster_bits: b.u8(32),
    l2_bits: b.u8(33),
    crypt_method: b.u32be(36),
    l1_table_offset: b.u64be(40, 'l1_table_offset'),
  };
}

export function validateQcowHeader(f: QcowHeaderFields, fileSize: number): QcowHeader {
  if (f.magic !== QCOW_MAGIC) throw corrupt(QCOW1_STRUCTURE, 0, 'bad magic', QCOW_MAGIC, f.magic);
  if (f.version !== 1) throw corrupt(QCOW1_STRUCTURE, 4, 'bad version', 1, f.version);
  if (f.cluster_bits < MIN_CLUSTER_BITS || f.cluster_bits > MAX_CLUSTER_BITS) {
    throw corrupt(
      QCOW1_STRUCTURE,
      32,
      'cluster_bits out of range',
      `${MIN_CLUSTER_BITS}..${MAX_CLUSTER_BITS}`,
      f.cluster_bits,
    );
  }
  if (f.l2_bits < MIN_L2_BITS || f.l2_bits > MAX_L2_BITS) {
    throw corrupt(
      QCOW1_STRUCTURE,
      33,
      'l2_bits out of range',
      `${MIN_L2_BITS}..${MAX_L2_BITS}`,
      f.l2_bits,
    );
  }
  if (f.crypt_method === CRYPT_AES) {
    throw new EngineError('unsupported', 'qcow encryption (aes)', {
      feature: 'qcow encryption (aes)',
      structure: QCOW1_STRUCTURE,
      offset: 36,
    });
  }
  if (f.crypt_method !== 0)
    throw corrupt(QCOW1_STRUCTURE, 36, 'unknown crypt_method', '0 or 1', f.crypt_method);
  const shift = f.cluster_bits + f.l2_bits;
  const l1Size = Math.ceil(f.size / 2 ** shift);
  if (l1Size * 8 > MAX_L1_BYTES) {
    throw corrupt(
      QCOW1_STRUCTURE,
      24,
      'size needs an L1 table larger than MAX_L1_BYTES',
      `<= ${MAX_L1_BYTES / 8} entries`,
      l1Size,
    );
  }
  if (l1Size > 0 && f.l1_table_offset + l1Size * 8 > fileSize) {
    throw corrupt(
      'qcow L1 table',
      f.l1_table_offset,
      'extends past the end of the file',
      fileSize,
      f.l1_table_offset + l1Size * 8,
    );
  }
  if (f.backing_file_offset !== 0) {
    if (f.backing_file_size > MAX_BACKING_FILE_NAME) {
      throw corrupt(
        QCOW1_STRUCTURE,
        16,
        'backing_file_size too long',
        `<= ${MAX_BACKING_FILE_NAME}`,
        f.backing_file_size,
      );
    }
    if (f.backing_file_offset + f.backing_file_size > fileSize) {
      throw corrupt(
        QCOW1_STRUCTURE,
        8,
        'backing file name past the end of the file',
        fileSize,
        f.backing_file_offset + f.backing_file_size,
      );
    }
  }
  return {
    fields: f,
    clusterBits: f.cluster_bits,
    clusterSize: 2 ** f.cluster_bits,
    l2Bits: f.l2_bits,
    l1Size,
    virtualSize: f.size,
  };
}
