// What a qcow2 image says about itself, for the UI, `disk_*` actions and tests. The same
// description comes from a full open (Qcow2Image.info) and from `qcow2Info(head)`, a cheap
// look at the first bytes that never throws: an encrypted image, or one whose backing file
// is missing, can still be listed as what it is.
// Reference: QEMU docs/interop/qcow2.txt "Header"; field names follow `qemu-img info`.

import { Bytes } from '../../io/bytes.js';
import type { FormatInfo } from '../types.js';
import {
  CRYPT_AES,
  CRYPT_LUKS,
  COMPRESSION_ZSTD,
  HEADER_STRUCTURE,
  INCOMPAT_CORRUPT,
  INCOMPAT_DATA_FILE,
  INCOMPAT_DIRTY,
  INCOMPAT_EXTL2,
  checkHeaderLayout,
  decodeQcow2Header,
  hasBit,
  type Qcow2HeaderFields,
} from './header.js';
import {
  parseHeaderExtensions,
  readBackingFileName,
  type Qcow2Extensions,
} from './header-extensions.js';

export function encryptionName(cryptMethod: number): 'aes' | 'luks' | undefined {
  if (cryptMethod === CRYPT_AES) return 'aes';
  if (cryptMethod === CRYPT_LUKS) return 'luks';
  return undefined;
}

/** The FormatInfo of a header (raw fields, so it works before full validation). */
export function describeQcow2(
  f: Qcow2HeaderFields,
  ext: Qcow2Extensions | undefined,
  backingFile: string | undefined,
): FormatInfo {
  const incompat = f.incompatible_features;
  const dataFile = hasBit(incompat, INCOMPAT_DATA_FILE);
  return {
    version: f.version,
    compat: f.version >= 3 ? '1.1' : '0.10',
    virtualSize: f.size,
    clusterSize: 2 ** f.cluster_bits,
    compressionType: f.compression_type === COMPRESSION_ZSTD ? 'zstd' : 'zlib',
    extendedL2: hasBit(incompat, INCOMPAT_EXTL2),
    dataFile: dataFile ? (ext?.dataFile ?? '') : undefined,
    dataFileRaw: dataFile ? (f.autoclear_features & 2n) !== 0n : undefined,
    backingFile,
    backingFormat: ext?.backingFormat,
    encrypted: f.crypt_method !== 0,
    encryption: encryptionName(f.crypt_method),
    dirty: hasBit(incompat, INCOMPAT_DIRTY),
    corrupt: hasBit(incompat, INCOMPAT_CORRUPT),
    refcountBits: 2 ** f.refcount_order,
    lazyRefcounts: (f.compatible_features & 1n) !== 0n,
    snapshotCount: f.nb_snapshots,
    // Opening is read-only; a dirty or corrupt-flagged image is readable that way (QEMU
    // allows read-only opens of both), but nothing may be written back to it.
    readOnly: true,
  };
}

/**
 * Describe a qcow2 image from its first bytes (the first cluster, or at least 4 KiB), or
 * undefined when they are not a qcow2 header with a sane layout. Never throws.
 */
export function qcow2Info(head: Uint8Array): FormatInfo | undefined {
  let f: Qcow2HeaderFields;
  try {
    f = decodeQcow2Header(new Bytes(head, HEADER_STRUCTURE));
    checkHeaderLayout(f);
  } catch {
    return undefined;
  }
  let ext: Qcow2Extensions | undefined;
  let backingFile: string | undefined;
  try {
    ext = parseHeaderExtensions(head, f);
  } catch {
    ext = undefined; // a head shorter than the extension area, or a bad extension
  }
  try {
    backingFile = readBackingFileName(head, f);
  } catch {
    backingFile = undefined;
  }
  return describeQcow2(f, ext, backingFile);
}
