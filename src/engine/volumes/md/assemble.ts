// Assembling MD arrays from member devices, as `mdadm --assemble --scan` does: read each
// device's superblock, group members by array UUID, trust the member with the highest event
// count for the array's shape, drop members whose events lag behind (they missed writes),
// put each remaining member in its role's slot, and decide whether the array can run
// (degraded within what its redundancy covers) or not.
// Names: the libguestfs appliance assembles foreign arrays (homehost not its own) as
// /dev/md127, /dev/md126, … in the order udev completes them, with a /dev/md/ link named
// after the array ("homehost:name" for 1.x, "MINOR_0" for 0.90). We number arrays in the
// order of their first member in `members`, so a single array is /dev/md127 as there.
// Reference: mdadm Assemble.c (event margin, most recent device), mdopen.c (names);
// libguestfs daemon/md.ml (list_md_devices, md_detail).

import { EngineError } from '../../errors.js';
import { slice } from '../../io/block-source.js';
import type { MemberDevice } from '../types.js';
import { type MdRole, type MdSuperblock, readMdSuperblock } from './superblock.js';
import { checkReadableFeatures } from './superblock-1.js';

/** mdadm's name for each level number. */
export const LEVEL_NAMES: Record<number, string> = {
  [-5]: 'faulty',
  [-4]: 'multipath',
  [-1]: 'linear',
  0: 'raid0',
  1: 'raid1',
  4: 'raid4',
  5: 'raid5',
  6: 'raid6',
  10: 'raid10',
};
/** The first number the appliance's mdadm hands out to a foreign array. */
export const FIRST_MD_NUMBER = 127;

export interface MdMember {
  device: MemberDevice;
  sb: MdSuperblock;
  role: MdRole;
}

export interface MdProblem {
  device: string;
  error: EngineError;
}

export type MdState = 'clean' | 'degraded' | 'failed';

export interface MdArrayShape {
  uuid: string;
  /** The freshest superblock: the array's level, layout, size… */
  sb: MdSuperblock;
  levelName: string;
  members: MdMember[];
  /** Member in each role slot (undefined: missing). */
  slots: (MdMember | undefined)[];
  state: MdState;
}

/** Read every device's superblock and group the members by array. */
export function groupMembers(members: MemberDevice[]): {
  shapes: MdArrayShape[];
  problems: MdProblem[];
} {
  const problems: MdProblem[] = [];
  const groups = new Map<string, { device: MemberDevice; sb: MdSuperblock }[]>();
  for (const device of members) {
    let sb: MdSuperblock | undefined;
    try {
      sb = readMdSuperblock(device.source);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      problems.push({ device: device.name, error: e });
    }
    if (!sb) continue;
    const list = groups.get(sb.uuid) ?? [];
    list.push({ device, sb });
    groups.set(sb.uuid, list);
  }
  const shapes: MdArrayShape[] = [];
  for (const [uuid, list] of groups) {
    const shape = shapeArray(uuid, list, problems);
    if (shape) shapes.push(shape);
  }
  return { shapes, problems };
}

function shapeArray(
  uuid: string,
  list: { device: MemberDevice; sb: MdSuperblock }[],
  problems: MdProblem[],
): MdArrayShape | undefined {
  const fresh = list.reduce((a, b) => (b.sb.events > a.sb.events ? b : a));
  const sb = fresh.sb;
  try {
    checkReadableFeatures(sb);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    problems.push({ device: fresh.device.name, error: e });
    return undefined;
  }
  const slots: (MdMember | undefined)[] = new Array<MdMember | undefined>(sb.raidDisks).fill(
    undefined,
  );
  const members: MdMember[] = [];
  for (const { device, sb: own } of list) {
    // mdadm accepts a member one event behind the newest (an interrupted clean shutdown).
    if (own.events + 1n < sb.events) {
      problems.push({
        device: device.name,
        error: new EngineError(
          'io',
          `${device.name}: stale md member (events ${own.events} < ${sb.events})`,
        ),
      });
      continue;
    }
    const role = sb.version === '0.90' ? own.role : (sb.roles[own.devNumber] ?? 'spare');
    const m: MdMember = { device, sb: own, role };
    members.push(m);
    if (typeof role === 'number' && role < sb.raidDisks && !slots[role]) slots[role] = m;
  }
  const levelName = LEVEL_NAMES[sb.level] ?? `level ${sb.level}`;
  return { uuid, sb, levelName, members, slots, state: arrayState(sb.level, slots) };
}

/** How many members the level can lose and still present every byte. */
function arrayState(level: number, slots: (MdMember | undefined)[]): MdState {
  const missing = slots.filter((s) => !s).length;
  if (missing === 0) return 'clean';
  const redundancy: Record<number, number> = {
    1: slots.length - 1,
    [-4]: slots.length - 1,
    4: 1,
    5: 1,
    6: 2,
  };
  // raid10 survives if some copy of every chunk is present: checked per read.
  if (level === 10) return missing < slots.length ? 'degraded' : 'failed';
  return missing <= (redundancy[level] ?? 0) ? 'degraded' : 'failed';
}

/** /dev/mdN names and /dev/md/ link names, numbered from 127 down in member order. */
export function nameArrays(
  shapes: MdArrayShape[],
  members: MemberDevice[],
): { shape: MdArrayShape; name: string; devname: string }[] {
  const firstIndex = (s: MdArrayShape): number =>
    Math.min(...s.members.map((m) => members.indexOf(m.device)));
  const ordered = [...shapes].sort((a, b) => firstIndex(a) - firstIndex(b));
  return ordered.map((shape, i) => ({
    shape,
    name: `/dev/md${FIRST_MD_NUMBER - i}`,
    devname: shape.sb.version === '0.90' ? `${shape.sb.preferredMinor ?? 0}_0` : shape.sb.name,
  }));
}

/** A member's data area: from data_offset, `bytes` long, checked against the device. */
export function memberData(m: MdMember, bytes: number) {
  const start = m.sb.dataOffset * 512;
  if (start + bytes > m.device.source.size) {
    throw new EngineError(
      'corrupt',
      `${m.device.name}: md data area ${start}+${bytes} past the end of the member (${m.device.source.size})`,
      {
        structure: m.sb.version === '0.90' ? 'md 0.90 superblock' : 'md 1.x superblock',
        offset: m.sb.offset,
        expected: m.device.source.size,
        actual: start + bytes,
      },
    );
  }
  return slice(m.device.source, start, bytes, `${m.device.name}[md data]`);
}
