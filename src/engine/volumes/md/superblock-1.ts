// The md 1.x superblock (struct mdp_superblock_1), little-endian: 256 bytes of array and
// device facts followed by dev_roles[max_dev] (one 16-bit role per device number). The
// same structure serves 1.0 (at the end), 1.1 (at 0) and 1.2 (at 4 KiB); super_offset says
// where it was written, so a copy found elsewhere (inside another array's data) is ignored.
// Reference: Linux include/uapi/linux/raid/md_p.h (struct mdp_superblock_1, MD_FEATURE_*,
// MD_DISK_ROLE_*), drivers/md/md.c (super_1_load, calc_sb_1_csum); mdadm super1.c.

import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { MD_MAGIC, type MdRole, type MdSuperblock, foldChecksum, uuidText } from './superblock.js';

export const SB1_STRUCTURE = 'md 1.x superblock';
const HEADER = 256;
/** The kernel refuses max_dev above 384 (the roles must fit the 1 KiB superblock block). */
const MAX_DEV = 384;
const ROLE_SPARE = 0xffff;
const ROLE_FAULTY = 0xfffe;
const ROLE_JOURNAL = 0xfffd;

/** The 1.x superblock at `at`, or undefined when the magic (or super_offset) is not there. */
export function readSuperblock1(
  src: BlockSource,
  at: number,
  version: '1.0' | '1.1' | '1.2',
): MdSuperblock | undefined {
  const head = new Bytes(src.readAt(at, HEADER), SB1_STRUCTURE, at);
  if (head.u32le(0) !== MD_MAGIC) return undefined;
  const major = head.u32le(4);
  if (major !== 1) throw corrupt(SB1_STRUCTURE, at + 4, 'major_version', 1, major);
  // A superblock records its own sector: a 1.x copy inside another array's data area (a
  // nested array) is not this device's superblock.
  if (head.u64leBig(0x90) !== BigInt(at / 512)) return undefined;
  const maxDev = head.u32le(0xdc);
  if (maxDev > MAX_DEV) throw corrupt(SB1_STRUCTURE, at + 0xdc, 'max_dev', `<= ${MAX_DEV}`, maxDev);
  const size = HEADER + 2 * maxDev;
  const b = new Bytes(src.readAt(at, size), SB1_STRUCTURE, at);
  checkSum(b, size);
  return decode(b, at, version, maxDev);
}

function checkSum(b: Bytes, size: number): void {
  let sum = 0;
  let i = 0;
  for (; i + 4 <= size; i += 4) if (i !== 0xd8) sum += b.u32le(i);
  if (size - i === 2) sum += b.u16le(i);
  const expected = foldChecksum(sum);
  const stored = b.u32le(0xd8);
  if (stored !== expected)
    throw corrupt(SB1_STRUCTURE, b.base + 0xd8, 'sb_csum mismatch', expected, stored);
}

function decode(
  b: Bytes,
  at: number,
  version: MdSuperblock['version'],
  maxDev: number,
): MdSuperblock {
  const roles: MdRole[] = [];
  for (let i = 0; i < maxDev; i++) roles.push(roleOf(b.u16le(HEADER + 2 * i)));
  const raidDisks = b.u32le(0x5c);
  // Every slot needs a role entry: raid_disks cannot exceed the role table.
  if (raidDisks > maxDev)
    throw corrupt(
      SB1_STRUCTURE,
      at + 0x5c,
      'raid_disks exceeds max_dev',
      `<= ${maxDev}`,
      raidDisks,
    );
  const devNumber = b.u32le(0xa0);
  const featureMap = b.u32le(0x08);
  const dataOffset = b.u64le(0x80, 'data_offset');
  return {
    version,
    offset: at,
    uuid: uuidText(b.raw(0x10, 16)),
    name: b.utf8(0x20, 32),
    level: b.i32le(0x48),
    layout: b.u32le(0x4c),
    chunkSectors: b.u32le(0x58),
    raidDisks,
    devSectors: b.u64le(0x50, 'size'),
    dataOffset,
    dataSize: b.u64le(0x88, 'data_size'),
    role: devNumber < maxDev ? roles[devNumber]! : 'spare',
    devNumber,
    roles,
    events: b.u64leBig(0xc8),
    ctime: Number(b.u64leBig(0x40) & 0xffffffffffn),
    utime: Number(b.u64leBig(0xc0) & 0xffffffffffn),
    featureMap,
    deviceUuid: uuidText(b.raw(0xa8, 16)),
    // resync_offset is MaxSector (all ones) once the array is in sync.
    clean: b.u64leBig(0xd0) === 0xffffffffffffffffn,
  };
}

function roleOf(v: number): MdRole {
  if (v === ROLE_SPARE) return 'spare';
  if (v === ROLE_FAULTY) return 'faulty';
  if (v === ROLE_JOURNAL) return 'journal';
  return v;
}

/** Features that change where data is; reading through them would be a silent wrong answer. */
export function checkReadableFeatures(sb: MdSuperblock): void {
  if (sb.featureMap & 4) throw unsupported('md reshape in progress', `array ${sb.uuid}`);
  if (sb.featureMap & 512) throw unsupported('md write journal', `array ${sb.uuid}`);
}
