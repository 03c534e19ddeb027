// Return values of libguestfs' MD actions, computed from assembled arrays, so the handle
// only has to forward them: list_md_devices, md_detail, md_stat.
// md_detail in libguestfs runs `mdadm -D --export DEV` and returns its KEY=VALUE lines with
// the MD_ prefix dropped and the key lower-cased: level, devices, metadata, uuid, devname,
// name (1.x only), and per member device_<dev>_role / device_<dev>_dev.
// Reference: libguestfs daemon/md.ml (list_md_devices, md_detail), daemon/md.c (md_stat);
// mdadm Detail.c (the --export lines).

import { errno } from '../../errors.js';
import type { MdArray } from './array.js';

/** list_md_devices: /dev/mdN of every running array, in libguestfs' numeric order. */
export function listMdDevices(arrays: MdArray[]): string[] {
  return arrays
    .filter((a) => a.device)
    .map((a) => a.name)
    .sort((x, y) => mdNumber(x) - mdNumber(y));
}

function mdNumber(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? 0);
}

/** Find an array by /dev/mdN or /dev/md/LINK (libguestfs accepts both). */
export function findArray(arrays: MdArray[], device: string): MdArray {
  const a = arrays.find(
    (x) => x.device && (x.name === device || `/dev/md/${x.devname}` === device),
  );
  if (!a) throw errno('ENOENT', device, 'not an md device');
  return a;
}

/** mdadm's key for a member: the path without its leading slash, other slashes as "_". */
function deviceKey(path: string): string {
  return path.replace(/^\/+/, '').replace(/[^A-Za-z0-9]/g, '_');
}

/** md_detail: the hashtable libguestfs returns, as a plain object in mdadm's key order. */
export function mdDetail(arrays: MdArray[], device: string): Record<string, string> {
  const a = findArray(arrays, device);
  const out: Record<string, string> = {
    level: a.levelName,
    devices: String(a.raidDisks),
    metadata: a.metadata,
    uuid: a.uuid,
  };
  if (a.devname) out.devname = a.devname;
  if (a.arrayName) out.name = a.arrayName;
  for (const m of a.members) {
    const k = deviceKey(m.device.name);
    out[`device_${k}_role`] = String(m.role);
    out[`device_${k}_dev`] = m.device.name;
  }
  return out;
}

/** One row of md_stat (struct guestfs_mdstat). */
export interface GuestfsMdstat {
  mdstat_device: string;
  /** The member's descriptor number, the [n] of /proc/mdstat. */
  mdstat_index: number;
  /** W write-mostly, F faulty, S spare, R replacement (as /proc/mdstat marks them). */
  mdstat_flags: string;
}

export function mdStat(arrays: MdArray[], device: string): GuestfsMdstat[] {
  const a = findArray(arrays, device);
  return a.members.map((m) => ({
    mdstat_device: m.device.name,
    mdstat_index: m.sb.devNumber,
    mdstat_flags: m.role === 'faulty' ? 'F' : m.role === 'spare' ? 'S' : '',
  }));
}

/** Names of the devices the running arrays consume (not to be scanned as PVs/filesystems). */
export function mdMemberDevices(arrays: MdArray[]): string[] {
  return arrays.filter((a) => a.device).flatMap((a) => a.members.map((m) => m.device.name));
}
