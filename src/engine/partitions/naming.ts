// Device names as libguestfs spells them: disks /dev/sda … /dev/sdz, /dev/sdaa …, their
// partitions /dev/sda1 (or /dev/md0p1 when the disk name ends in a digit), and the rules
// that read such names back (part_to_dev, part_to_partnum, device_index,
// canonical_device_name, the order of list_devices/list_partitions).
// Reference: libguestfs lib/drives.c guestfs_int_drive_name(), lib/utils.c
// guestfs_int_drive_index(), lib/canonical-name.c, daemon/utils.ml split_device_partition
// and sort_device_names, daemon/devsparts.ml part_to_dev/part_to_partnum/device_index.

import { EngineError } from '../errors.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** 0 → "a", 25 → "z", 26 → "aa", 701 → "zz", 702 → "aaa" (bijective base 26). */
export function driveLetters(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new EngineError('EINVAL', `bad drive index ${index}`);
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = LETTERS[(n - 1) % 26]! + s;
  return s;
}

/** The inverse of driveLetters; -1 when `letters` is not a-z only. */
export function driveIndex(letters: string): number {
  if (!/^[a-z]+$/.test(letters)) return -1;
  let r = 0;
  for (const c of letters) r = 26 * r + (c.charCodeAt(0) - 96);
  return r - 1;
}

/** The libguestfs name of the index-th added drive: 0 → /dev/sda. */
export function diskName(index: number): string {
  return `/dev/sd${driveLetters(index)}`;
}

/** /dev/sda + 1 → /dev/sda1; a disk name ending in a digit takes a "p": /dev/md0p1. */
export function partitionName(disk: string, partnum: number): string {
  if (!Number.isSafeInteger(partnum) || partnum < 1) {
    throw new EngineError('EINVAL', `partition number must be >= 1 (got ${partnum})`);
  }
  return /\d$/.test(disk) ? `${disk}p${partnum}` : `${disk}${partnum}`;
}

/**
 * Split "/dev/sda12" into { device: "sda", partnum: 12 } and "/dev/md0p1" into
 * { device: "md0", partnum: 1 }; a whole device has partnum 0. Like libguestfs, this is
 * purely lexical (and so calls /dev/md0 "md" partition 0).
 */
export function splitDevicePartition(name: string): { device: string; partnum: number } {
  let dev = name.startsWith('/dev/') ? name.slice(5) : name;
  const m = /^(.*?)(\d+)$/.exec(dev);
  let partnum = 0;
  if (m) {
    dev = m[1]!;
    partnum = Number(m[2]);
  }
  // "md0p" → "md0": the "p" separates a partition number from a disk name ending in a digit.
  if (dev.length >= 2 && dev.endsWith('p') && /\d/.test(dev[dev.length - 2]!))
    dev = dev.slice(0, -1);
  return { device: dev, partnum };
}

/** part_to_dev: /dev/sda1 → /dev/sda. */
export function partToDev(part: string): string {
  const { device, partnum } = splitDevicePartition(part);
  if (partnum === 0)
    throw new EngineError('EINVAL', `${part}: device name is not a partition`, { path: part });
  return `/dev/${device}`;
}

/** part_to_partnum: /dev/sda1 → 1. */
export function partToPartnum(part: string): number {
  const { partnum } = splitDevicePartition(part);
  if (partnum === 0)
    throw new EngineError('EINVAL', `${part}: device name is not a partition`, { path: part });
  return partnum;
}

/**
 * A device-mapper name of an LVM LV, "VG-LV" with "-" inside either name doubled, as
 * /dev/mapper/my--vg-root for VG "my-vg", LV "root". Undefined when it does not split.
 */
export function parseMapperName(name: string): { vg: string; lv: string } | undefined {
  let vg = '';
  let i = 0;
  while (i < name.length) {
    if (name[i] === '-') {
      if (name[i + 1] !== '-') break;
      vg += '-';
      i += 2;
    } else {
      vg += name[i++]!;
    }
  }
  const lv = name.slice(i + 1).replace(/--/g, '-');
  if (i >= name.length || vg === '' || lv === '') return undefined;
  return { vg, lv };
}

/** Whether VG/LV names a logical volume of the guest (the LVM layer answers; none by default). */
export type LogicalVolumeLookup = (vg: string, lv: string) => boolean;

/**
 * canonical_device_name: /dev/hda1, /dev/vda1, /dev/xvda1 → /dev/sda1 (a name under /dev
 * whose text before the first "d" is one or two letters, except /dev/md*);
 * /dev/mapper/VG-LV → /dev/VG/LV when `isLv` says it is an LV; anything else unchanged.
 * Like libguestfs, this is lexical: /dev/nbd0 becomes /dev/sd0.
 */
export function canonicalDeviceName(
  device: string,
  isLv: LogicalVolumeLookup = () => false,
): string {
  if (device.startsWith('/dev/mapper/')) {
    const parsed = parseMapperName(device.slice('/dev/mapper/'.length));
    return parsed && isLv(parsed.vg, parsed.lv) ? `/dev/${parsed.vg}/${parsed.lv}` : device;
  }
  if (!device.startsWith('/dev/')) return device;
  const rest = device.slice(5);
  if (rest.includes('/') || rest.startsWith('m')) return device;
  const len = rest.indexOf('d');
  if (len > 0 && len <= 2) return `/dev/sd${rest.slice(len + 1)}`;
  return device;
}

/**
 * device_index: /dev/sdb → 1 (after canonicalising /dev/vdb and friends). With `count`,
 * the number of added drives, an index past the end is "device not found" as in libguestfs.
 */
export function deviceIndex(device: string, count?: number): number {
  const m = /^\/dev\/sd([a-z]+)$/.exec(canonicalDeviceName(device));
  const index = m ? driveIndex(m[1]!) : -1;
  if (index < 0 || (count !== undefined && index >= count)) {
    throw new EngineError('EINVAL', `${device}: device not found`, { path: device });
  }
  return index;
}

/**
 * The order of list_devices and list_partitions: by disk (a longer name is later, so
 * /dev/sdz < /dev/sdaa; /dev/sda and /dev/vda sort together), then by partition number.
 */
export function compareDeviceNames(a: string, b: string): number {
  const sa = splitDevicePartition(a);
  const sb = splitDevicePartition(b);
  const da = skipDiskPrefix(sa.device);
  const db = skipDiskPrefix(sb.device);
  if (da.length !== db.length) return da.length - db.length;
  if (da !== db) return da < db ? -1 : 1;
  return sa.partnum - sb.partnum;
}

/** "sda" → "a", "xvda" → "a": the part after a one- or two-letter prefix ending in "d". */
function skipDiskPrefix(dev: string): string {
  if (dev.length >= 2 && dev[1] === 'd') return dev.slice(2);
  if (dev.length >= 3 && dev[2] === 'd') return dev.slice(3);
  return dev;
}
