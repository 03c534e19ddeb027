// The file-type codes both crates put in their stat and directory records, decoded once.

import type { FileType } from '../types.js';

/** st_mode's S_IFMT bits → FileType. */
export const TYPE_BY_MODE: Record<number, FileType> = {
  0x8000: 'file',
  0x4000: 'directory',
  0xa000: 'symlink',
  0x6000: 'blockdev',
  0x2000: 'chardev',
  0x1000: 'fifo',
  0xc000: 'socket',
};

/** The directory-entry type code of the ABI (ext4's file_type numbering). */
export const TYPE_BY_CODE: FileType[] = [
  'unknown',
  'file',
  'directory',
  'chardev',
  'blockdev',
  'fifo',
  'socket',
  'symlink',
];

/** glibc's makedev: the st_rdev value libguestfs reports. */
export function makedev(major: number, minor: number): number {
  return (
    (minor & 0xff) +
    (major & 0xfff) * 0x100 +
    (minor & ~0xff) * 0x1000 +
    (major & ~0xfff) * 0x100000000
  );
}
