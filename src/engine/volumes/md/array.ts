// MD arrays as devices: the entry point `assembleMd(members)` groups members into arrays
// (assemble.ts) and gives each array that can run a VolumeDevice whose bytes come from the
// level's mapping (raid0/linear: striping.ts, raid1/multipath: any member, raid10:
// raid10.ts, raid4/5/6: parity.ts, rebuilding a missing member's chunks from parity).
// Reference: Linux drivers/md/{raid0,raid1,raid10,raid5,md-linear}.c (array sizes:
// raid0 zones, raid1 dev_sectors, raid5_size, raid10_size, linear sum).

import { EngineError, corrupt, unsupported } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import type { MemberDevice, VolumeDevice } from '../types.js';
import {
  type MdArrayShape,
  type MdMember,
  type MdProblem,
  type MdState,
  groupMembers,
  memberData,
  nameArrays,
} from './assemble.js';
import { type ArrayIo, type Mapping, allWritable, mappedIo } from './mapped.js';
import { ParityReader, algorithmSupported } from './parity.js';
import { Raid10Mapping, raid10Geometry } from './raid10.js';
import { LinearMapping, Raid0Mapping } from './striping.js';
import { FEATURE_RAID0_LAYOUT, type MdSuperblock } from './superblock.js';

export interface MdArray {
  /** /dev/md127, /dev/md126, … (see assemble.ts for the numbering). */
  name: string;
  /** The /dev/md/ link name mdadm gives it ("homehost:name", "MINOR_0"). */
  devname: string;
  uuid: string;
  levelName: string;
  /** Superblock version: 0.90, 1.0, 1.1, 1.2. */
  metadata: string;
  /** 1.x array name as stored ("homehost:name"); "" for 0.90. */
  arrayName: string;
  raidDisks: number;
  members: MdMember[];
  /** Member device name in each role slot, undefined where missing. */
  slots: (string | undefined)[];
  state: MdState;
  /** Bytes; 0 when the array cannot run. */
  size: number;
  /** Present unless the array cannot run (state 'failed' or an unsupported layout). */
  device?: VolumeDevice;
  /** Why there is no device. */
  error?: EngineError;
  sb: MdSuperblock;
}

export interface MdScan {
  arrays: MdArray[];
  /** Devices with a damaged superblock, stale members, unsupported features. */
  problems: MdProblem[];
}

/** Assemble every array the devices make up. */
export function assembleMd(members: MemberDevice[]): MdArray[] {
  return scanMd(members).arrays;
}

export function scanMd(members: MemberDevice[]): MdScan {
  const { shapes, problems } = groupMembers(members);
  const arrays = nameArrays(shapes, members).map(({ shape, name, devname }) =>
    buildArray(shape, name, devname),
  );
  return { arrays, problems };
}

function buildArray(shape: MdArrayShape, name: string, devname: string): MdArray {
  const sb = shape.sb;
  const arr: MdArray = {
    name,
    devname,
    uuid: shape.uuid,
    levelName: shape.levelName,
    metadata: sb.version,
    arrayName: sb.name,
    raidDisks: sb.raidDisks,
    members: shape.members,
    slots: shape.slots.map((s) => s?.device.name),
    state: shape.state,
    size: 0,
    sb,
  };
  try {
    if (shape.state === 'failed') {
      const have = shape.slots.filter(Boolean).length;
      throw new EngineError(
        'io',
        `${name}: ${shape.levelName} array with ${have} of ${sb.raidDisks} members cannot run`,
      );
    }
    const reader = levelReader(shape, name);
    arr.size = reader.size;
    arr.device = {
      name,
      kind: 'md',
      source: readerSource(reader, name),
      members: shape.members.map((m) => m.device.name),
      info: {
        level: shape.levelName,
        metadata: sb.version,
        uuid: shape.uuid,
        raidDisks: sb.raidDisks,
        state: shape.state,
        ...(sb.chunkSectors ? { chunkBytes: sb.chunkSectors * 512 } : {}),
        ...(sb.name ? { arrayName: sb.name } : {}),
      },
    };
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    arr.error = e;
  }
  return arr;
}

/** Largest chunk we accept: md allows up to 2 GiB in theory; mdadm's default is 512 KiB. */
const MAX_CHUNK_SECTORS = 1 << 21;
/** Fewest members each striped level can have. */
const MIN_DISKS: Record<number, number> = { 0: 1, 4: 2, 5: 2, 6: 3, 10: 2 };

/** Geometry the mappings divide by: refuse what would make them loop or divide by zero. */
function checkGeometry(sb: MdSuperblock): void {
  const structure = sb.version === '0.90' ? 'md 0.90 superblock' : 'md 1.x superblock';
  const min = MIN_DISKS[sb.level];
  if (min === undefined) return;
  if (sb.chunkSectors <= 0 || sb.chunkSectors > MAX_CHUNK_SECTORS) {
    throw corrupt(
      structure,
      sb.offset,
      'chunk size',
      `1..${MAX_CHUNK_SECTORS} sectors`,
      sb.chunkSectors,
    );
  }
  if (sb.raidDisks < min)
    throw corrupt(
      structure,
      sb.offset,
      'raid_disks too few for the level',
      `>= ${min}`,
      sb.raidDisks,
    );
}

function levelReader(shape: MdArrayShape, name: string): ArrayIo {
  const sb = shape.sb;
  checkGeometry(sb);
  const chunk = sb.chunkSectors * 512;
  const dev = sb.devSectors * 512;
  const data = (bytes: number) => shape.slots.map((m) => (m ? memberData(m, bytes) : undefined));
  const io = (m: Mapping, members: (BlockSource | undefined)[]) =>
    mappedIo(m, name, allWritable(members));
  switch (sb.level) {
    case 1:
    case -4: {
      const members = data(dev);
      return io(mirrorMapping(members, dev), members);
    }
    case 0: {
      const sizes = shape.slots.map((m) => m!.sb.dataSize * 512);
      const members = shape.slots.map((m, i) => memberData(m!, sizes[i]!));
      const layout = sb.version === '0.90' || sb.featureMap & FEATURE_RAID0_LAYOUT ? sb.layout : 0;
      return io(new Raid0Mapping(members, sizes, chunk, layout, name), members);
    }
    case -1: {
      const sizes = shape.slots.map((m) => roundDown(m!.sb.dataSize * 512, chunk));
      const members = shape.slots.map((m, i) => memberData(m!, sizes[i]!));
      return io(new LinearMapping(members, sizes), members);
    }
    case 10: {
      const members = data(dev);
      const g = raid10Geometry(sb.layout, sb.raidDisks, chunk, dev);
      return io(new Raid10Mapping(g, members), members);
    }
    case 4:
    case 5:
    case 6:
      return parityReader(shape, data(roundDown(dev, chunk)), roundDown(dev, chunk), name);
    default:
      throw unsupported(`md level ${shape.levelName}`, name);
  }
}

function parityReader(
  shape: MdArrayShape,
  members: (BlockSource | undefined)[],
  dev: number,
  name: string,
): ArrayIo {
  const sb = shape.sb;
  const level = sb.level as 4 | 5 | 6;
  if (!algorithmSupported(level, sb.layout))
    throw unsupported(`md ${shape.levelName} layout ${sb.layout}`, name);
  const r = new ParityReader(
    { level, algorithm: sb.layout, disks: sb.raidDisks, chunkBytes: sb.chunkSectors * 512 },
    members,
    name,
  );
  const dataDisks = sb.raidDisks - (level === 6 ? 2 : 1);
  return { size: dev * dataDisks, read: (o, l) => r.read(o, l) };
}

/** raid1: every member holds everything (reads from the first present, writes to all). */
export function mirrorMapping(members: (BlockSource | undefined)[], size: number): Mapping {
  if (!members.some((x) => x)) throw new EngineError('io', 'mirror: no member present');
  return {
    size,
    run: (pos, max) => ({ copies: members.map((src) => ({ src, at: pos })), length: max }),
  };
}

function roundDown(n: number, unit: number): number {
  return unit > 0 ? Math.floor(n / unit) * unit : n;
}

/** A BlockSource over an array's I/O, with the usual range checks; writable if it is. */
export function readerSource(r: ArrayIo, name: string): BlockSource {
  const src: BlockSource = {
    size: r.size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      return length === 0 ? new Uint8Array(0) : r.read(offset, length);
    },
  };
  if (r.write) {
    const write = r.write.bind(r);
    src.writeAt = (offset, data) => {
      checkRange(src, offset, data.length);
      if (data.length) write(offset, data);
    };
  }
  return src;
}
