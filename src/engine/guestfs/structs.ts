// The RStruct / RStructList shapes of the file actions, with libguestfs' own field names
// (generator/structs.ml: stat, statns, statvfs, dirent, xattr), and the conversions from
// the FileSystem types.
// Reference: guestfs(3) "STRUCTURES"; libguestfs generator/structs.ml.

import type { FileType, Stat, StatVfs } from '../fs/types.js';

/** guestfs_statns: every field is an int64. */
export interface GuestfsStatns {
  st_dev: number;
  st_ino: number;
  st_mode: number;
  st_nlink: number;
  st_uid: number;
  st_gid: number;
  st_rdev: number;
  st_size: number;
  st_blksize: number;
  st_blocks: number;
  st_atime_sec: number;
  st_atime_nsec: number;
  st_mtime_sec: number;
  st_mtime_nsec: number;
  st_ctime_sec: number;
  st_ctime_nsec: number;
  st_spare1: number;
  st_spare2: number;
  st_spare3: number;
  st_spare4: number;
  st_spare5: number;
  st_spare6: number;
}

/** guestfs_stat (the deprecated stat/lstat): times in whole seconds. */
export interface GuestfsStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
}

export interface GuestfsStatvfs {
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

/** guestfs_dirent: ftyp is one of b c d f l r s u ?. */
export interface GuestfsDirent {
  ino: number;
  ftyp: string;
  name: string;
}

export interface GuestfsXattr {
  attrname: string;
  attrval: Uint8Array;
}

export function toStatns(st: Stat, dev: number): GuestfsStatns {
  return {
    st_dev: dev,
    st_ino: st.ino,
    st_mode: st.mode,
    st_nlink: st.nlink,
    st_uid: st.uid,
    st_gid: st.gid,
    st_rdev: st.rdev,
    st_size: st.size,
    st_blksize: st.blksize,
    st_blocks: st.blocks,
    st_atime_sec: st.atimeSec,
    st_atime_nsec: st.atimeNsec,
    st_mtime_sec: st.mtimeSec,
    st_mtime_nsec: st.mtimeNsec,
    st_ctime_sec: st.ctimeSec,
    st_ctime_nsec: st.ctimeNsec,
    st_spare1: 0,
    st_spare2: 0,
    st_spare3: 0,
    st_spare4: 0,
    st_spare5: 0,
    st_spare6: 0,
  };
}

export function toStat(st: Stat, dev: number): GuestfsStat {
  return {
    dev,
    ino: st.ino,
    mode: st.mode,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    size: st.size,
    blksize: st.blksize,
    blocks: st.blocks,
    atime: st.atimeSec,
    mtime: st.mtimeSec,
    ctime: st.ctimeSec,
  };
}

export function toStatvfs(v: StatVfs): GuestfsStatvfs {
  return { ...v };
}

/** The dirent ftyp letters of libguestfs' readdir. */
const FTYP: Record<FileType, string> = {
  file: 'r',
  directory: 'd',
  symlink: 'l',
  blockdev: 'b',
  chardev: 'c',
  fifo: 'f',
  socket: 's',
  unknown: 'u',
};

export function ftyp(type: FileType): string {
  return FTYP[type];
}

export const S_IFMT = 0o170000;

/** The type letter of `ls -l` (and virt-ls, which uses "-" for files and "p" for fifos). */
export function lsTypeChar(type: FileType): string {
  const m: Record<FileType, string> = {
    file: '-',
    directory: 'd',
    symlink: 'l',
    blockdev: 'b',
    chardev: 'c',
    fifo: 'p',
    socket: 's',
    unknown: '?',
  };
  return m[type];
}
