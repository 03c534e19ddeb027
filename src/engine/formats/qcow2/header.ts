// The qcow2 file header: decode the raw fields, then validate them into a Qcow2Header whose
// invariants every other qcow2 module relies on (cluster size in range, L1 table inside the
// file and large enough for the virtual size, known incompatible features only).
// Reference: QEMU docs/interop/qcow2.txt, "Header" and "Additional fields".

import { EngineError, corrupt } from '../../errors.js';
import { Bytes } from '../../io/bytes.js';

export const QCOW_MAGIC = 0x514649fb; // "QFI\xfb"
export const HEADER_STRUCTURE = 'qcow2 header';

/** The spec's floor: 512-byte clusters. */
export const MIN_CLUSTER_BITS = 9;
/** QEMU's implementation limit (2 MiB). It also bounds every per-cluster buffer we allocate. */
export const MAX_CLUSTER_BITS = 21;
/** Extended L2 entries need 32 sub-clusters of at least 512 bytes: 16 KiB clusters. */
export const MIN_EXTENDED_L2_CLUSTER_BITS = 14;
export const V2_HEADER_LENGTH = 72;
export const V3_MIN_HEADER_LENGTH = 104;
/** QEMU's QCOW_MAX_L1_SIZE (32 MiB): the L1 table is read whole, so its size is bounded. */
export const MAX_L1_BYTES = 32 * 1024 * 1024;
/** QEMU's QCOW_MAX_SNAPSHOTS: bounds the snapshot table walk. */
export const MAX_SNAPSHOTS = 65536;
/** The spec's limit for the backing file name. */
export const MAX_BACKING_FILE_NAME = 1023;
/** refcount_bits = 1 << refcount_order may not exceed 64. */
export const MAX_REFCOUNT_ORDER = 6;

/** incompatible_features bits (bit numbers). */
export const INCOMPAT_DIRTY = 0;
export const INCOMPAT_CORRUPT = 1;
export const INCOMPAT_DATA_FILE = 2;
export const INCOMPAT_COMPRESSION = 3;
export const INCOMPAT_EXTL2 = 4;
const KNOWN_INCOMPAT_MASK = 0x1fn;
/** compatible_features bit 0; autoclear_features bit 1. */
const COMPAT_LAZY_REFCOUNTS = 1n;
const AUTOCLEAR_DATA_FILE_RAW = 2n;

export const CRYPT_NONE = 0;
export const CRYPT_AES = 1;
export const CRYPT_LUKS = 2;
export const COMPRESSION_ZLIB = 0;
export const COMPRESSION_ZSTD = 1;

/** The header's fields as stored, named as in the spec. */
export interface Qcow2HeaderFields {
  magic: number;
  version: number;
  backing_file_offset: number;
  backing_file_size: number;
  cluster_bits: number;
  size: number;
  crypt_method: number;
  l1_size: number;
  l1_table_offset: number;
  refcount_table_offset: number;
  refcount_table_clusters: number;
  nb_snapshots: number;
  snapshots_offset: number;
  incompatible_features: bigint;
  compatible_features: bigint;
  autoclear_features: bigint;
  refcount_order: number;
  header_length: number;
  compression_type: number;
}

/** A validated header. */
export interface Qcow2Header {
  readonly fields: Qcow2HeaderFields;
  readonly version: 2 | 3;
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly virtualSize: number;
  readonly headerLength: number;
  /** Bytes per L2 entry (8, or 16 with extended L2) and entries per L2 table (a power of 2). */
  readonly l2EntrySize: 8 | 16;
  readonly l2Bits: number;
  readonly cryptMethod: number;
  readonly compressionType: number;
  readonly dirty: boolean;
  readonly corrupt: boolean;
  readonly externalDataFile: boolean;
  readonly dataFileRaw: boolean;
  readonly extendedL2: boolean;
  readonly lazyRefcounts: boolean;
  readonly refcountBits: number;
}

/** Step 1: the raw fields. Needs the first 72 bytes (v2) or header_length bytes (v3). */
export function decodeQcow2Header(b: Bytes): Qcow2HeaderFields {
  const version = b.u32be(4);
  const v3 = version >= 3;
  const headerLength = v3 ? b.u32be(100) : V2_HEADER_LENGTH;
  return {
    magic: b.u32be(0),
    version,
    backing_file_offset: b.u64be(8, 'backing_file_offset'),
    backing_file_size: b.u32be(16),
    cluster_bits: b.u32be(20),
    size: b.u64be(24, 'size'),
    crypt_method: b.u32be(32),
    l1_size: b.u32be(36),
    l1_table_offset: b.u64be(40, 'l1_table_offset'),
    refcount_table_offset: b.u64be(48, 'refcount_table_offset'),
    refcount_table_clusters: b.u32be(56),
    nb_snapshots: b.u32be(60),
    snapshots_offset: b.u64be(64, 'snapshots_offset'),
    incompatible_features: v3 ? b.u64beBig(72) : 0n,
    compatible_features: v3 ? b.u64beBig(80) : 0n,
    autoclear_features: v3 ? b.u64beBig(88) : 0n,
    refcount_order: v3 ? b.u32be(96) : 4,
    header_length: headerLength,
    compression_type: v3 && headerLength > 104 ? b.u8(104) : COMPRESSION_ZLIB,
  };
}

function bad(
  field: number,
  what: string,
  expected?: string | number,
  actual?: string | number | bigint,
) {
  return corrupt(HEADER_STRUCTURE, field, what, expected, actual);
}

/**
 * The checks that must pass before anything else in the first cluster can be located
 * (header extensions, backing file name): magic, version, cluster size, header length.
 */
export function checkHeaderLayout(f: Qcow2HeaderFields): void {
  if (f.magic !== QCOW_MAGIC) throw bad(0, 'bad magic', QCOW_MAGIC, f.magic);
  if (f.version === 1) {
    throw new EngineError('unsupported', 'qcow version 1 is not qcow2', {
      feature: 'qcow version 1',
      structure: HEADER_STRUCTURE,
      offset: 4,
    });
  }
  if (f.version > 3) {
    throw new EngineError('unsupported', `qcow2 version ${f.version}`, {
      feature: `qcow2 version ${f.version}`,
      structure: HEADER_STRUCTURE,
      offset: 4,
    });
  }
  if (f.version < 2) throw bad(4, 'bad version', '2 or 3', f.version);
  if (f.cluster_bits < MIN_CLUSTER_BITS || f.cluster_bits > MAX_CLUSTER_BITS) {
    throw bad(
      20,
      'cluster_bits out of range',
      `${MIN_CLUSTER_BITS}..${MAX_CLUSTER_BITS}`,
      f.cluster_bits,
    );
  }
  if (f.version === 3) {
    const clusterSize = 2 ** f.cluster_bits;
    if (f.header_length < V3_MIN_HEADER_LENGTH || f.header_length > clusterSize) {
      throw bad(
        100,
        'header_length out of range',
        `${V3_MIN_HEADER_LENGTH}..${clusterSize}`,
        f.header_length,
      );
    }
  }
}

/** Step 2: validate into a Qcow2Header. `featureName` names unknown bits from the feature table. */
export function validateQcow2Header(
  f: Qcow2HeaderFields,
  fileSize: number,
  featureName: (bit: number) => string | undefined = () => undefined,
): Qcow2Header {
  checkHeaderLayout(f);
  checkIncompatibleFeatures(f.incompatible_features, featureName);
  const clusterBits = f.cluster_bits;
  const clusterSize = 2 ** clusterBits;
  const extendedL2 = hasBit(f.incompatible_features, INCOMPAT_EXTL2);
  if (extendedL2 && clusterBits < MIN_EXTENDED_L2_CLUSTER_BITS) {
    throw bad(
      20,
      'extended L2 entries need clusters of 16 KiB or more',
      `>= ${MIN_EXTENDED_L2_CLUSTER_BITS}`,
      clusterBits,
    );
  }
  const l2EntrySize = extendedL2 ? 16 : 8;
  const l2Bits = clusterBits - (extendedL2 ? 4 : 3);
  checkCompressionType(f);
  if (f.refcount_order > MAX_REFCOUNT_ORDER) {
    throw bad(96, 'refcount_order too large', `<= ${MAX_REFCOUNT_ORDER}`, f.refcount_order);
  }
  if (f.crypt_method > CRYPT_LUKS)
    throw bad(32, 'unknown crypt_method', '0, 1 or 2', f.crypt_method);
  checkL1(f, fileSize, clusterBits + l2Bits);
  checkSnapshotsAndBacking(f, clusterSize);
  const externalDataFile = hasBit(f.incompatible_features, INCOMPAT_DATA_FILE);
  return {
    fields: f,
    version: f.version as 2 | 3,
    clusterBits,
    clusterSize,
    virtualSize: f.size,
    headerLength: f.header_length,
    l2EntrySize,
    l2Bits,
    cryptMethod: f.crypt_method,
    compressionType: f.compression_type,
    dirty: hasBit(f.incompatible_features, INCOMPAT_DIRTY),
    corrupt: hasBit(f.incompatible_features, INCOMPAT_CORRUPT),
    externalDataFile,
    dataFileRaw: externalDataFile && (f.autoclear_features & AUTOCLEAR_DATA_FILE_RAW) !== 0n,
    extendedL2,
    lazyRefcounts: (f.compatible_features & COMPAT_LAZY_REFCOUNTS) !== 0n,
    refcountBits: 2 ** f.refcount_order,
  };
}

export function hasBit(mask: bigint, bit: number): boolean {
  return ((mask >> BigInt(bit)) & 1n) === 1n;
}

/** The spec: "An implementation must fail to open an image if an unknown bit is set." */
function checkIncompatibleFeatures(
  mask: bigint,
  featureName: (bit: number) => string | undefined,
): void {
  const unknown = mask & ~KNOWN_INCOMPAT_MASK;
  if (unknown === 0n) return;
  let bit = 0;
  while (((unknown >> BigInt(bit)) & 1n) === 0n) bit++;
  const name = featureName(bit);
  const feature = `qcow2 incompatible feature bit ${bit}${name ? ` (${name})` : ''}`;
  throw new EngineError('unsupported', feature, {
    feature,
    structure: HEADER_STRUCTURE,
    offset: 72,
  });
}

function checkCompressionType(f: Qcow2HeaderFields): void {
  const flagged = hasBit(f.incompatible_features, INCOMPAT_COMPRESSION);
  if (flagged && f.compression_type === COMPRESSION_ZLIB) {
    throw bad(104, 'compression type bit set but compression_type is zlib', 'non-zero', 0);
  }
  if (!flagged && f.compression_type !== COMPRESSION_ZLIB) {
    throw bad(104, 'compression_type set without the compression type bit', 0, f.compression_type);
  }
  if (f.compression_type > COMPRESSION_ZSTD) {
    const feature = `qcow2 compression type ${f.compression_type}`;
    throw new EngineError('unsupported', feature, {
      feature,
      structure: HEADER_STRUCTURE,
      offset: 104,
    });
  }
}

function checkL1(f: Qcow2HeaderFields, fileSize: number, l1Shift: number): void {
  if (f.l1_size > MAX_L1_BYTES / 8)
    throw bad(36, 'l1_size exceeds MAX_L1_BYTES', `<= ${MAX_L1_BYTES / 8}`, f.l1_size);
  const needed = Math.ceil(f.size / 2 ** l1Shift);
  if (f.l1_size < needed)
    throw bad(36, 'L1 table too small for the virtual size', `>= ${needed}`, f.l1_size);
  if (f.l1_size === 0) return;
  if (f.l1_table_offset % 2 ** f.cluster_bits !== 0) {
    throw bad(40, 'l1_table_offset not cluster-aligned', 'aligned', f.l1_table_offset);
  }
  if (f.l1_table_offset + f.l1_size * 8 > fileSize) {
    throw corrupt(
      'qcow2 L1 table',
      f.l1_table_offset,
      'extends past the end of the file',
      fileSize,
      f.l1_table_offset + f.l1_size * 8,
    );
  }
}

function checkSnapshotsAndBacking(f: Qcow2HeaderFields, clusterSize: number): void {
  if (f.nb_snapshots > MAX_SNAPSHOTS)
    throw bad(60, 'nb_snapshots exceeds MAX_SNAPSHOTS', `<= ${MAX_SNAPSHOTS}`, f.nb_snapshots);
  if (f.nb_snapshots > 0 && f.snapshots_offset % clusterSize !== 0) {
    throw bad(64, 'snapshots_offset not cluster-aligned', 'aligned', f.snapshots_offset);
  }
  if (f.backing_file_offset === 0) return;
  // QEMU keeps the name inside the first cluster, after the header extensions.
  if (f.backing_file_size > MAX_BACKING_FILE_NAME) {
    throw bad(16, 'backing_file_size too long', `<= ${MAX_BACKING_FILE_NAME}`, f.backing_file_size);
  }
  if (f.backing_file_offset + f.backing_file_size > clusterSize) {
    throw bad(
      8,
      'backing file name lies outside the first cluster',
      `<= ${clusterSize}`,
      f.backing_file_offset + f.backing_file_size,
    );
  }
}
