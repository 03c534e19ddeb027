// Linux MD RAID member superblocks, both formats behind one record. Version 0.90 lives in
// the last 64 KiB-aligned 64 KiB of the device; version 1.0 8 KiB before the 4 KiB-aligned
// end, 1.1 at offset 0 and 1.2 at 4 KiB. The search order is mdadm's (0.90, then 1.x; a
// device carries one superblock), and a superblock whose magic matches but whose checksum
// or version does not is an error, not "no superblock".
// Reference: Linux include/uapi/linux/raid/md_p.h; drivers/md/md.c (super_90_load,
// super_1_load, calc_sb_csum, calc_sb_1_csum); mdadm super0.c, super1.c (uuid printing).

import type { BlockSource } from '../../io/block-source.js';
import { readSuperblock090 } from './superblock-090.js';
import { readSuperblock1 } from './superblock-1.js';

export const MD_MAGIC = 0xa92b4efc;
export const MD_RESERVED_BYTES = 64 * 1024;

/** md "levels" as the superblock stores them. */
export const LEVEL_LINEAR = -1;
export const LEVEL_MULTIPATH = -4;
export const LEVEL_FAULTY = -5;

/** What a member device's role in the array is. */
export type MdRole = number | 'spare' | 'faulty' | 'journal';

export interface MdSuperblock {
  version: '0.90' | '1.0' | '1.1' | '1.2';
  /** Byte offset of the superblock on the member. */
  offset: number;
  /** Array UUID as mdadm prints it: four groups of 8 hex digits separated by ':'. */
  uuid: string;
  /** 1.x set_name ("homehost:name" or "name"); "" for 0.90. */
  name: string;
  level: number;
  layout: number;
  /** Chunk size in 512-byte sectors (0 for raid1/linear). */
  chunkSectors: number;
  raidDisks: number;
  /** Sectors of each member used by the array (raid1/4/5/6/10), from the superblock. */
  devSectors: number;
  /** Where the data starts on the member and how much of it there is (sectors). */
  dataOffset: number;
  dataSize: number;
  /** This member's role in the array (slot number) or what else it is. */
  role: MdRole;
  /** 1.x dev_number / 0.90 this_disk.number: index into the role table. */
  devNumber: number;
  /** 1.x dev_roles (role of each dev_number, per the freshest superblock); 0.90: the disks table. */
  roles: MdRole[];
  events: bigint;
  ctime: number;
  utime: number;
  featureMap: number;
  /** 1.x device UUID as mdadm prints it; undefined for 0.90. */
  deviceUuid?: string;
  /** 0.90 md_minor: the /dev/mdN the array was created as. */
  preferredMinor?: number;
  /** The array was shut down cleanly (no resync pending). */
  clean: boolean;
}

/** 1.x feature_map bits that change how data is laid out on the members. */
export const FEATURE_RESHAPE_ACTIVE = 4;
export const FEATURE_JOURNAL = 512;
export const FEATURE_RAID0_LAYOUT = 4096;

/**
 * The member superblock of `src`, or undefined when none of the four places holds the md
 * magic. Throws `corrupt` for a superblock with the magic but a bad checksum or version.
 */
export function readMdSuperblock(src: BlockSource): MdSuperblock | undefined {
  const size = src.size;
  if (size >= MD_RESERVED_BYTES) {
    const at090 = Math.floor(size / MD_RESERVED_BYTES) * MD_RESERVED_BYTES - MD_RESERVED_BYTES;
    const sb0 = readSuperblock090(src, at090);
    if (sb0) return sb0;
  }
  const at10 = Math.floor(size / 4096) * 4096 - 8192;
  const places: [number, '1.0' | '1.1' | '1.2'][] = [
    [at10, '1.0'],
    [0, '1.1'],
    [4096, '1.2'],
  ];
  for (const [at, version] of places) {
    if (at < 0 || at + 1024 > size) continue;
    const sb = readSuperblock1(src, at, version);
    if (sb) return sb;
  }
  return undefined;
}

/** mdadm's text for 16 UUID bytes taken in order (1.x). */
export function uuidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}:${hex.slice(8, 16)}:${hex.slice(16, 24)}:${hex.slice(24, 32)}`;
}

/**
 * md's superblock checksum: the 32-bit words summed into 64 bits, then the high half added
 * to the low half once, truncated to 32 bits. A few thousand words never leave the range a
 * double holds exactly.
 */
export function foldChecksum(sum: number): number {
  const high = Math.floor(sum / 0x100000000);
  return (sum - high * 0x100000000 + high) >>> 0;
}
