// Decoders for the ext4 crate's records (wasm/README.md "Records") and the superblock
// summary: feature names as e2fsprogs spells them, and the blkid TYPE (ext2/ext3/ext4).
// Reference: kernel Documentation/filesystems/ext4/super.rst (feature flags).

import { EngineError } from '../../errors.js';
import { formatUuid } from '../../io/bytes.js';
import type { DirEntry, Stat, StatVfs } from '../types.js';
import type { RawDirEntry } from '../wasm/wasm-fs.js';
import { TYPE_BY_CODE, TYPE_BY_MODE, makedev } from '../wasm/stat-types.js';

const COMPAT: Record<number, string> = {
  0x1: 'dir_prealloc',
  0x2: 'imagic_inodes',
  0x4: 'has_journal',
  0x8: 'ext_attr',
  0x10: 'resize_inode',
  0x20: 'dir_index',
  0x40: 'lazy_bg',
  0x100: 'exclude_bitmap',
  0x200: 'sparse_super2',
  0x400: 'fast_commit',
  0x800: 'stable_inodes',
  0x1000: 'orphan_file',
};
const INCOMPAT: Record<number, string> = {
  0x1: 'compression',
  0x2: 'filetype',
  0x4: 'needs_recovery',
  0x8: 'journal_dev',
  0x10: 'meta_bg',
  0x40: 'extent',
  0x80: '64bit',
  0x100: 'mmp',
  0x200: 'flex_bg',
  0x400: 'ea_inode',
  0x1000: 'dirdata',
  0x2000: 'metadata_csum_seed',
  0x4000: 'large_dir',
  0x8000: 'inline_data',
  0x10000: 'encrypt',
  0x20000: 'casefold',
};
const RO_COMPAT: Record<number, string> = {
  0x1: 'sparse_super',
  0x2: 'large_file',
  0x4: 'btree_dir',
  0x8: 'huge_file',
  0x10: 'uninit_bg',
  0x20: 'dir_nlink',
  0x40: 'extra_isize',
  0x80: 'snapshot',
  0x100: 'quota',
  0x200: 'bigalloc',
  0x400: 'metadata_csum',
  0x800: 'replica',
  0x1000: 'read-only',
  0x2000: 'project',
  0x4000: 'shared_blocks',
  0x8000: 'verity',
  0x10000: 'orphan_present',
};

/** What the superblock says, as a caller of the library wants it. */
export interface Ext4Info {
  /** blkid TYPE: ext2, ext3 or ext4 (libblkid's rules). */
  type: 'ext2' | 'ext3' | 'ext4';
  label: string;
  uuid: string;
  lastMounted: string;
  blockSize: number;
  inodeSize: number;
  blocksCount: number;
  inodesCount: number;
  groups: number;
  /** Feature names as `dumpe2fs -h` prints them (compat, incompat, ro_compat order). */
  features: string[];
  /** The journal holds transactions not yet replayed; the tree read is the un-replayed one. */
  needsRecovery: boolean;
  hasJournal: boolean;
  metadataCsum: boolean;
  /** Casefolded directories exist (names compare after Unicode folding in the kernel). */
  casefold: boolean;
  /** s_encoding (1 = utf8) when casefold is on. */
  encoding: number;
  encrypt: boolean;
  /** s_def_hash_version and whether s_flags asks for the unsigned variant. */
  hashVersion: number;
  unsignedHash: boolean;
  state: number;
  mkfsTime: number;
  mountTime: number;
  writeTime: number;
}

function names(bits: number, table: Record<number, string>): string[] {
  const out: string[] = [];
  for (let b = 0; b < 32; b++) {
    const bit = 2 ** b;
    if (bits & bit) out.push(table[bit] ?? `FEATURE_${bit.toString(16)}`);
  }
  return out;
}

function cstring(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}

const safe = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EngineError('unsupported', `ext4 ${what} ${v} exceeds 2^53`, {
      feature: `ext4 ${what} above 2^53`,
    });
  }
  return Number(v);
};

/** blkid's rule: ext4 when any feature beyond ext3's set is on; ext3 with a journal. */
function blkidType(compat: number, incompat: number, roCompat: number): Ext4Info['type'] {
  const EXT3_INCOMPAT = 0x2 | 0x4 | 0x10; // filetype, recover, meta_bg
  const EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4; // sparse_super, large_file, btree_dir
  if (incompat & ~EXT3_INCOMPAT || roCompat & ~EXT3_RO_COMPAT) return 'ext4';
  return compat & 0x4 ? 'ext3' : 'ext2';
}

export function decodeInfo(r: Uint8Array): Ext4Info {
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const [compat, incompat, ro] = [u32(32), u32(36), u32(40)];
  return {
    type: blkidType(compat, incompat, ro),
    label: cstring(r.subarray(64, 80)),
    uuid: formatUuid(r.subarray(48, 64)),
    lastMounted: cstring(r.subarray(80, 144)),
    blockSize: u32(0),
    inodeSize: u32(4),
    blocksCount: safe(dv.getBigUint64(8, true), 'block count'),
    inodesCount: u32(24),
    groups: u32(184),
    features: [...names(compat, COMPAT), ...names(incompat, INCOMPAT), ...names(ro, RO_COMPAT)],
    needsRecovery: (incompat & 0x4) !== 0,
    hasJournal: (compat & 0x4) !== 0,
    metadataCsum: (ro & 0x400) !== 0,
    casefold: (incompat & 0x20000) !== 0,
    encoding: u32(188),
    encrypt: (incompat & 0x10000) !== 0,
    hashVersion: u32(152),
    unsignedHash: (u32(148) & 0x2) !== 0,
    state: u32(144),
    mkfsTime: Number(dv.getBigInt64(160, true)),
    mountTime: Number(dv.getBigInt64(168, true)),
    writeTime: Number(dv.getBigInt64(176, true)),
  };
}

/** A u64 field as a number (two u32 halves: a listing decodes 100,000 records, and this
 * is several times cheaper than BigInt); past 2^53 it is refused, never rounded. */
function u64(dv: DataView, o: number, what: string): number {
  const hi = dv.getUint32(o + 4, true);
  if (hi >= 0x20_0000) return safe(dv.getBigUint64(o, true), what);
  return hi * 2 ** 32 + dv.getUint32(o, true);
}

/** An i64 time in seconds (exact: times from 32-bit fields and extra epoch bits). */
function i64(dv: DataView, o: number): number {
  return dv.getInt32(o + 4, true) * 2 ** 32 + dv.getUint32(o, true);
}

export function decodeStat(r: Uint8Array): Stat {
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const mode = u32(8);
  const st: Stat = {
    ino: u64(dv, 0, 'inode number'),
    type: TYPE_BY_MODE[mode & 0xf000] ?? 'unknown',
    mode,
    nlink: u32(12),
    uid: u32(16),
    gid: u32(20),
    size: u64(dv, 24, 'file size'),
    blocks: u64(dv, 32, 'block count'),
    blksize: u32(108),
    rdev: makedev(u32(40), u32(44)),
    atimeSec: i64(dv, 48),
    atimeNsec: u32(80),
    mtimeSec: i64(dv, 56),
    mtimeNsec: u32(84),
    ctimeSec: i64(dv, 64),
    ctimeNsec: u32(88),
  };
  if (u32(96) & 1) {
    st.crtimeSec = i64(dv, 72);
    st.crtimeNsec = u32(92);
  }
  return st;
}

const utf8 = new TextDecoder();

export function decodeDirEntry(e: RawDirEntry): DirEntry {
  return {
    name: utf8.decode(e.name),
    ino: e.ino,
    type: TYPE_BY_CODE[e.type] ?? 'unknown',
  };
}

export function decodeStatVfs(r: Uint8Array): StatVfs {
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const u64 = (o: number, what: string) => safe(dv.getBigUint64(o, true), what);
  return {
    bsize: dv.getUint32(0, true),
    frsize: dv.getUint32(4, true),
    blocks: u64(8, 'block count'),
    bfree: u64(16, 'free blocks'),
    bavail: u64(24, 'available blocks'),
    files: u64(32, 'inode count'),
    ffree: u64(40, 'free inodes'),
    favail: u64(48, 'free inodes'),
    fsid: Number(dv.getBigUint64(56, true) & 0x1f_ffff_ffff_ffffn),
    flag: dv.getUint32(64, true),
    namemax: dv.getUint32(68, true),
  };
}
