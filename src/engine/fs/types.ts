// The filesystem family: every driver (ext4 and NTFS in WebAssembly, others in TS) speaks
// this one interface. Paths are absolute within the filesystem ("/", "/etc/passwd"),
// components separated by "/", no symlink following across mounts here: the Guestfs mount
// table resolves paths and calls `lstat`/`readdir` component by component.
// Reference: DESIGN.md "Filesystem drivers".

import type { BlockSource } from '../io/block-source.js';

export type FileType =
  'file' | 'directory' | 'symlink' | 'blockdev' | 'chardev' | 'fifo' | 'socket' | 'unknown';

/** Like libguestfs' guestfs_statns: times in seconds + nanoseconds since the epoch (UTC). */
export interface Stat {
  /** Inode / MFT record number. */
  ino: number;
  type: FileType;
  /** Full st_mode including the type bits (S_IFREG …) and permissions. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** Allocated 512-byte blocks. */
  blocks: number;
  blksize: number;
  /** For device nodes. */
  rdev: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  /** Creation time where the filesystem records it (ext4 crtime, NTFS creation). */
  crtimeSec?: number;
  crtimeNsec?: number;
}

export interface DirEntry {
  name: string;
  ino: number;
  type: FileType;
}

export interface StatVfs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  fsid: number;
  flag: number;
  namemax: number;
}

export interface Xattr {
  name: string;
  value: Uint8Array;
}

export interface FileSystem {
  /** blkid TYPE of what is mounted: "ext4", "ntfs", … */
  readonly type: string;
  /** Names compare case-insensitively (NTFS, FAT): case_sensitive_path uses this. */
  readonly caseInsensitive: boolean;
  lstat(path: string): Stat;
  /** Entries without "." and "..". Throws ENOTDIR/ENOENT. */
  readdir(path: string): DirEntry[];
  /** Up to `length` bytes at `offset`; shorter only at end of file. Throws EISDIR. */
  read(path: string, offset: number, length: number): Uint8Array;
  /** Optional: `read` by the `ino` lstat returned, skipping the path lookup (walks call
   * it once per file; a lookup in a 100,000-entry directory is not free). */
  readInode?(ino: number, offset: number, length: number): Uint8Array;
  /** Optional: `lstat` by the `ino` readdir returned, skipping the path lookup. */
  statInode?(ino: number): Stat;
  readlink(path: string): string;
  statvfs(): StatVfs;
  listxattrs(path: string): Xattr[];
  /** Alternate data streams (NTFS) — names, for listing; read as "path:stream". */
  streams?(path: string): { name: string; size: number }[];
  close(): void;
}

export interface FsDriver {
  /** blkid TYPE values this driver mounts. */
  readonly types: readonly string[];
  /** Async because WASM modules load lazily on first need; after that everything is sync. */
  load(): Promise<void>;
  /** Sync mount (after load). Throws EngineError(corrupt|unsupported|locked). */
  mount(device: BlockSource, opts: { readonly: boolean }): FileSystem;
}
