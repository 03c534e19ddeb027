// MD arrays as devices: the entry point `assembleMd(members)` groups members into arrays
// (assemble.ts) and gives each array that can run a VolumeDevice whose bytes come from the
// level's mapping (raid0/linear: striping.ts, raid1/multipath: any member, raid10:
// raid10.ts, raid4/5/6: parity.ts, rebuilding a missing member's chunks from parity).
// Reference: Linux drivers/md/{raid0,raid1,raid10,raid5,md-linear}.c (array sizes:
// raid0 zones, raid1 dev_sectors, raid5_size, raid10_size, linear sum).

import { EngineError, unsupported } from '../../errors.js';
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
import { ParityReader, algorithmSupported } from './parity.js';
import { Raid10Reader, raid10Geometry } from './raid10.js';
import { LinearReader, Raid0Reader } from './striping.js';
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

interface Reader {
  size: number;
  read(offset: number, length: number): Uint8Array;
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

function levelReader(shape: MdArrayShape, name: string): Reader {
  const sb = shape.sb;
  const chunk = sb.chunkSectors * 512;
  const dev = sb.devSectors * 512;
  const data = (bytes: number) => shape.slots.map((m) => (m ? memberData(m, bytes) : undefined));
  switch (sb.level) {
    case 1:
    case -4:
      return mirrorReader(data(dev), dev);
    case 0: {
      const sizes = shape.slots.map((m) => m!.sb.dataSize * 512);
      const members = shape.slots.map((m, i) => memberData(m!, sizes[i]!));
      const layout = sb.version === '0.90' || sb.featureMap & FEATURE_RAID0_LAYOUT ? sb.layout : 0;
      return new Raid0Reader(members, sizes, chunk, layout, name);
    }
    case -1: {
      const sizes = shape.slots.map((m) => roundDown(m!.sb.dataSize * 512, chunk));
      return new LinearReader(
        shape.slots.map((m, i) => memberData(m!, sizes[i]!)),
        sizes,
      );
    }
    case 10: {
      const g = raid10Geometry(sb.layout, sb.raidDisks, chunk, dev);
      const r = new Raid10Reader(g, data(dev), name);
      return { size: g.size, read: (o, l) => r.read(o, l) };
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
): Reader {
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

/** raid1: every member holds everything; read from the first one present. */
export function mirrorReader(members: (BlockSource | undefined)[], size: number): Reader {
  const m = members.find((x) => x);
  if (!m) throw new EngineError('io', 'mirror: no member present');
  return { size, read: (o, l) => m.readAt(o, l) };
}

function roundDown(n: number, unit: number): number {
  return unit > 0 ? Math.floor(n / unit) * unit : n;
}

/** A BlockSource over a reader, with the usual range checks. */
export function readerSource(r: Reader, name: string): BlockSource {
  const src: BlockSource = {
    size: r.size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      return length === 0 ? new Uint8Array(0) : r.read(offset, length);
    },
  };
  return src;
}
