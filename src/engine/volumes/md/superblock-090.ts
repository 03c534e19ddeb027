// The md 0.90 superblock (mdp_superblock_t): 4 KiB of 32-bit words in the byte order of the
// host that wrote it, at the start of the last 64 KiB-aligned 64 KiB of the member. Words
// 0-31 are constant array facts (magic, version, set_uuid0, ctime, level, size in KiB,
// raid_disks, md_minor, set_uuid1-3), words 32-63 the generic state (utime, state, counts,
// sb_csum, events), 64-127 the personality (layout, chunk_size in bytes), then 27 disk
// descriptors of 32 words and this_disk at word 992. Data starts at byte 0 of the member.
// Reference: Linux include/uapi/linux/raid/md_p.h (mdp_superblock_s, mdp_disk_t,
// MD_DISK_*), drivers/md/md.c (super_90_load, calc_sb_csum); mdadm super0.c.

import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { MD_MAGIC, type MdRole, type MdSuperblock, foldChecksum } from './superblock.js';

export const SB090_STRUCTURE = 'md 0.90 superblock';
const SB_BYTES = 4096;
const W_CSUM = 38;
const DISKS_AT = 128;
const DESCRIPTOR_WORDS = 32;
const MAX_DISKS = 27;
const THIS_DISK = 992;
const DISK_FAULTY = 1 << 0;
const DISK_ACTIVE = 1 << 1;
const DISK_SYNC = 1 << 2;
const DISK_REMOVED = 1 << 3;
const SB_CLEAN = 1 << 0;

/** The 0.90 superblock at `at`, or undefined if the magic is absent in both byte orders. */
export function readSuperblock090(src: BlockSource, at: number): MdSuperblock | undefined {
  if (at < 0 || at + SB_BYTES > src.size) return undefined;
  const b = new Bytes(src.readAt(at, SB_BYTES), SB090_STRUCTURE, at);
  const le = b.u32le(0) === MD_MAGIC;
  if (!le && b.u32be(0) !== MD_MAGIC) return undefined;
  const w = (i: number): number => (le ? b.u32le(i * 4) : b.u32be(i * 4));
  checkVersion(w, at);
  checkSum(w, at);
  const raidDisks = w(10);
  if (raidDisks > MAX_DISKS)
    throw corrupt(SB090_STRUCTURE, at + 40, 'raid_disks', `<= ${MAX_DISKS}`, raidDisks);
  const roles: MdRole[] = [];
  for (let i = 0; i < MAX_DISKS; i++)
    roles.push(descriptorRole(w, DISKS_AT + i * DESCRIPTOR_WORDS, raidDisks));
  // Events: two words, low one first on little-endian hosts (md_p.h swaps the pair by
  // host byte order).
  const [evLo, evHi] = le ? [w(39), w(40)] : [w(40), w(39)];
  return {
    version: '0.90',
    offset: at,
    uuid: [w(5), w(13), w(14), w(15)].map((v) => v.toString(16).padStart(8, '0')).join(':'),
    name: '',
    level: w(7) | 0,
    layout: w(64),
    chunkSectors: Math.floor(w(65) / 512),
    raidDisks,
    devSectors: w(8) * 2,
    dataOffset: 0,
    dataSize: Math.floor(at / 512),
    role: descriptorRole(w, THIS_DISK, raidDisks),
    devNumber: w(THIS_DISK),
    roles,
    events: (BigInt(evHi) << 32n) | BigInt(evLo),
    ctime: w(6),
    utime: w(32),
    featureMap: 0,
    preferredMinor: w(11),
    clean: (w(33) & SB_CLEAN) !== 0,
  };
}

function checkVersion(w: (i: number) => number, at: number): void {
  const [major, minor] = [w(1), w(2)];
  if (major !== 0) throw corrupt(SB090_STRUCTURE, at + 4, 'major_version', 0, major);
  // 0.91 marks an array in the middle of a reshape: its layout changes part way through.
  if (minor === 91) throw unsupported('md 0.91 superblock (reshape in progress)');
  if (minor !== 90) throw corrupt(SB090_STRUCTURE, at + 8, 'minor_version', 90, minor);
}

function checkSum(w: (i: number) => number, at: number): void {
  let sum = 0;
  for (let i = 0; i < SB_BYTES / 4; i++) if (i !== W_CSUM) sum += w(i);
  const expected = foldChecksum(sum);
  const stored = w(W_CSUM);
  if (stored !== expected)
    throw corrupt(SB090_STRUCTURE, at + W_CSUM * 4, 'sb_csum mismatch', expected, stored);
}

/** A disk descriptor's role: its raid_disk when active and in sync, else spare/faulty. */
function descriptorRole(w: (i: number) => number, word: number, raidDisks: number): MdRole {
  const raidDisk = w(word + 3);
  const state = w(word + 4);
  if (state & DISK_FAULTY) return 'faulty';
  if (state & DISK_REMOVED) return 'spare';
  if (state & DISK_ACTIVE && state & DISK_SYNC && raidDisk < raidDisks) return raidDisk;
  return 'spare';
}
