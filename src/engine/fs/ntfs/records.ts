// Decoders for the NTFS crate's records (wasm/ntfs/src/ops.rs and statfs.rs): stat and
// readdir share the ext4 crate's layouts; info and the stream list are NTFS's own.
// Reference: Linux-NTFS documentation, "Files: $Volume" (version, flags) and "Attribute -
// $STANDARD_INFORMATION" (file attribute flags).

import { EngineError } from '../../errors.js';
import type { DirEntry, Stat, StatVfs } from '../types.js';
import type { RawDirEntry } from '../wasm/wasm-fs.js';
import { TYPE_BY_CODE, TYPE_BY_MODE, makedev } from '../wasm/stat-types.js';

/** FILE_ATTRIBUTE_* bits of $STANDARD_INFORMATION. */
export const FileAttribute = {
  READONLY: 0x1,
  HIDDEN: 0x2,
  SYSTEM: 0x4,
  DIRECTORY: 0x10,
  ARCHIVE: 0x20,
  SPARSE_FILE: 0x200,
  REPARSE_POINT: 0x400,
  COMPRESSED: 0x800,
  ENCRYPTED: 0x4000,
} as const;

export interface NtfsInfo {
  label: string;
  /** The 64-bit volume serial as blkid prints the NTFS UUID: 16 upper-case hex digits. */
  serial: string;
  /** "3.1" for every Windows since XP. */
  version: string;
  volumeFlags: number;
  /** The dirty bit (chkdsk pending). */
  dirty: boolean;
  clusterSize: number;
  sectorSize: number;
  mftRecordSize: number;
  indexRecordSize: number;
  totalClusters: number;
  mftLcn: number;
  mftMirrLcn: number;
  mftRecords: number;
}

/** Stat plus what only NTFS has. */
export interface NtfsStat extends Stat {
  /** FILE_ATTRIBUTE_* flags (read-only, hidden, system, …): ntfs-3g leaves mode at 0777. */
  fileAttributes: number;
  /** Reparse tag (0 when the file is no reparse point). */
  reparseTag: number;
  /** MFT record sequence number. */
  sequence: number;
  /** Number of alternate data streams. */
  streamCount: number;
  /** Runs in the unnamed $DATA runlist, sparse runs included (0 when resident). */
  dataRuns: number;
}

export interface NtfsStream {
  name: string;
  size: number;
}

const safe = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EngineError('unsupported', `NTFS ${what} ${v} exceeds 2^53`, {
      feature: `NTFS ${what} above 2^53`,
    });
  }
  return Number(v);
};

const view = (r: Uint8Array) => new DataView(r.buffer, r.byteOffset, r.byteLength);

export function decodeInfo(r: Uint8Array): NtfsInfo {
  const dv = view(r);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number, what: string) => safe(dv.getBigUint64(o, true), what);
  const flags = dv.getUint16(58, true);
  const labelLen = dv.getUint16(60, true);
  return {
    label: new TextDecoder().decode(r.subarray(64, 64 + labelLen)),
    serial: dv.getBigUint64(40, true).toString(16).toUpperCase().padStart(16, '0'),
    version: `${r[56]}.${r[57]}`,
    volumeFlags: flags,
    dirty: (flags & 0x1) !== 0,
    clusterSize: u32(0),
    sectorSize: u32(4),
    mftRecordSize: u32(8),
    indexRecordSize: u32(12),
    totalClusters: u64(16, 'cluster count'),
    mftLcn: u64(24, 'MFT cluster'),
    mftMirrLcn: u64(32, 'MFTMirr cluster'),
    mftRecords: u64(48, 'MFT record count'),
  };
}

export function decodeStat(r: Uint8Array): NtfsStat {
  const dv = view(r);
  const u32 = (o: number) => dv.getUint32(o, true);
  const i64 = (o: number) => Number(dv.getBigInt64(o, true));
  const mode = u32(8);
  return {
    ino: safe(dv.getBigUint64(0, true), 'record number'),
    type: TYPE_BY_MODE[mode & 0xf000] ?? 'unknown',
    mode,
    nlink: u32(12),
    uid: u32(16),
    gid: u32(20),
    size: safe(dv.getBigUint64(24, true), 'file size'),
    blocks: safe(dv.getBigUint64(32, true), 'block count'),
    blksize: u32(108),
    rdev: makedev(u32(40), u32(44)),
    atimeSec: i64(48),
    atimeNsec: u32(80),
    mtimeSec: i64(56),
    mtimeNsec: u32(84),
    ctimeSec: i64(64),
    ctimeNsec: u32(88),
    crtimeSec: i64(72),
    crtimeNsec: u32(92),
    fileAttributes: u32(100),
    sequence: u32(104),
    reparseTag: u32(112),
    streamCount: u32(116),
    dataRuns: u32(120),
  };
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
  const dv = view(r);
  const u64 = (o: number, what: string) => safe(dv.getBigUint64(o, true), what);
  return {
    bsize: dv.getUint32(0, true),
    frsize: dv.getUint32(4, true),
    blocks: u64(8, 'cluster count'),
    bfree: u64(16, 'free clusters'),
    bavail: u64(24, 'available clusters'),
    files: u64(32, 'file count'),
    ffree: u64(40, 'free file records'),
    favail: u64(48, 'free file records'),
    fsid: Number(dv.getBigUint64(56, true) & 0x1f_ffff_ffff_ffffn),
    flag: dv.getUint32(64, true),
    namemax: dv.getUint32(68, true),
  };
}

/** {u32 count} then {u64 size, u16 name length, UTF-8 name} per stream. */
export function decodeStreams(r: Uint8Array): NtfsStream[] {
  const dv = view(r);
  const count = dv.getUint32(0, true);
  const out: NtfsStream[] = [];
  let pos = 4;
  for (let i = 0; i < count; i++) {
    const size = safe(dv.getBigUint64(pos, true), 'stream size');
    const len = dv.getUint16(pos + 8, true);
    out.push({ name: new TextDecoder().decode(r.subarray(pos + 10, pos + 10 + len)), size });
    pos += 10 + len;
  }
  return out;
}
