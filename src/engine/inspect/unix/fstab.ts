// /etc/fstab → (mountable, mountpoint) pairs, resolved to the devices guestkit names
// (/dev/sda2, /dev/VG/LV, btrfsvol:/dev/sda2/@home), as libguestfs' check_fstab does:
// floppies, CD-ROMs and pseudo-filesystems are skipped, as are mountpoints under /dev,
// /media, /proc, /selinux and /sys; UUID= and LABEL= are looked up among the guest's
// filesystems (an unknown one drops the entry); /dev/root and a BSD's "/" are the root
// itself; guest device names are renamed the way libguestfs renames them (/dev/vdb1 → the
// second disk's partition 1; /dev/mapper/VG-LV → /dev/VG/LV; FreeBSD ada0p2, NetBSD wd0a,
// OpenBSD sd0a, Hurd hd0s1; /dev/disk/by-id/…-partN on a one-disk guest); a btrfs entry
// with subvol= names that subvolume.
//
// guestkit also resolves what libguestfs 1.48 drops or leaves unresolved: PARTUUID=,
// PARTLABEL=, /dev/disk/by-uuid/, /dev/disk/by-label/, /dev/disk/by-partuuid/ and
// /dev/disk/by-partlabel/ (newer libguestfs resolves by-uuid too). Everything else that
// libguestfs would keep unchanged is kept unchanged.
// Reference: libguestfs daemon/inspect_fs_unix_fstab.ml (check_fstab_entry,
// resolve_fstab_device, resolve_xdev, resolve_diskbyid, get_btrfs_mountable); fstab(5);
// udev's /dev/disk/by-* naming (blkid_encode_string: \x20 for a space).

import type { FsView } from '../fs-view.js';
import type { OsType } from '../types.js';
import { shellUnquote, unixCanonicalPath } from '../text.js';

/** libguestfs' max_augeas_file_size: a larger fstab is not read at all. */
export const MAX_FSTAB_BYTES = 100 * 1000;

/** What resolving an fstab needs to know about the guest's devices. */
export interface DeviceDirectory {
  /** findfs UUID=: the device holding the filesystem with this UUID. */
  byUuid(uuid: string): string | undefined;
  /** findfs LABEL=. */
  byLabel(label: string): string | undefined;
  /** The partition with this GPT unique GUID / MBR "SIGNATURE-NN" PARTUUID. */
  byPartUuid(partuuid: string): string | undefined;
  /** The GPT partition with this name. */
  byPartLabel(name: string): string | undefined;
  /** list_devices: the whole disks in order (/dev/sda, /dev/sdb…). */
  disks(): readonly string[];
  /** Whether `device` is an existing partition. */
  isPartition(device: string): boolean;
  /** lv_canonical: /dev/mapper/VG-LV (or /dev/dm-N) → /dev/VG/LV if that LV exists. */
  lvCanonical(device: string): string | undefined;
}

export type FstabEntry = readonly [mountable: string, mountpoint: string];

interface RawEntry {
  spec: string;
  file: string;
  vfstype: string;
  opts: string[];
}

/** The entries of an fstab text: fields split on blanks; comments and blank lines skipped. */
export function parseFstabText(text: string): RawEntry[] {
  const out: RawEntry[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const f = t.split(/[ \t]+/);
    if (f.length < 3) continue;
    out.push({ spec: f[0]!, file: f[1]!, vfstype: f[2]!, opts: (f[3] ?? '').split(',') });
  }
  return out;
}

const IGNORED_MOUNTPOINT_DIRS = ['/dev', '/media', '/proc', '/selinux', '/sys'];

function ignoredSpec(spec: string): boolean {
  return (
    /^\/dev\/(fd|cd)\d/.test(spec) ||
    spec === '/dev/floppy' ||
    spec === '/dev/cdrom' ||
    spec.startsWith('/dev/iso9660/')
  );
}

function ignoredMountpoint(mp: string): boolean {
  return IGNORED_MOUNTPOINT_DIRS.some((d) => mp === d || mp.startsWith(`${d}/`));
}

const isBsd = (t: OsType) => t === 'freebsd' || t === 'netbsd' || t === 'openbsd';

export interface FstabContext {
  /** The filesystem holding this fstab (the answer for /dev/root and a BSD's "/"). */
  root: string;
  osType: OsType;
  devices: DeviceDirectory;
}

/** check_fstab: /etc/fstab of the filesystem `view`, resolved; [] when there is none. */
export function checkFstab(view: FsView, ctx: FstabContext): FstabEntry[] {
  const r = view.resolve('/etc/fstab', true);
  if (!r || r.stat.type !== 'file' || r.stat.size > MAX_FSTAB_BYTES) return [];
  const text = new TextDecoder().decode(view.readFile('/etc/fstab', MAX_FSTAB_BYTES));
  const out: FstabEntry[] = [];
  for (const e of parseFstabText(text)) {
    const entry = resolveEntry(e, ctx);
    if (entry) out.push(entry);
  }
  return out;
}

function resolveEntry(e: RawEntry, ctx: FstabContext): FstabEntry | undefined {
  if (ignoredSpec(e.spec)) return undefined;
  const mp = unixCanonicalPath(e.file);
  if (ignoredMountpoint(mp)) return undefined;
  let mountable = resolveSpec(e.spec, mp, ctx);
  if (mountable === undefined) return undefined;
  if (e.vfstype === 'btrfs') mountable = btrfsMountable(mountable, e.opts);
  return [mountable, mp];
}

function resolveSpec(spec: string, mp: string, ctx: FstabContext): string | undefined {
  const d = ctx.devices;
  const tag = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
  if (tag) return byTag(d, tag[1]!, shellUnquote(tag[2]!));
  if (spec === '/dev/root' || (isBsd(ctx.osType) && mp === '/')) return ctx.root;
  if (spec.startsWith('/dev/')) return resolveFstabDevice(spec, ctx.osType, d);
  // OpenBSD: a disklabel UID and a partition letter ("0123456789abcdef.a"). The label
  // cannot be read here, so like libguestfs assume the first disk.
  if (/^[0-9a-f]{16}\.[a-z]/.test(spec))
    return resolveFstabDevice(`/dev/sd0${spec[17]}`, ctx.osType, d);
  // tmpfs, proc, none, bind sources, NFS, Pardus' /.swap: nothing to resolve.
  return undefined;
}

function byTag(d: DeviceDirectory, tag: string, value: string): string | undefined {
  switch (tag) {
    case 'UUID':
      return d.byUuid(value);
    case 'LABEL':
      return d.byLabel(value);
    case 'PARTUUID':
      return d.byPartUuid(value);
    default:
      return d.byPartLabel(value);
  }
}

/** get_btrfs_mountable: the first subvol= option names the subvolume. */
function btrfsMountable(mountable: string, opts: string[]): string {
  if (mountable.startsWith('btrfsvol:') || !mountable.startsWith('/')) return mountable;
  for (const o of opts) {
    if (o.startsWith('subvol=')) return `btrfsvol:${mountable}/${o.slice(7)}`;
  }
  return mountable;
}

/** udev's escaping in /dev/disk/by-label and by-partlabel names: "\x20" is a byte. */
function udevUnescape(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
}

const BY_DIRS: [string, (d: DeviceDirectory, v: string) => string | undefined][] = [
  ['/dev/disk/by-uuid/', (d, v) => d.byUuid(v)],
  ['/dev/disk/by-label/', (d, v) => d.byLabel(udevUnescape(v))],
  ['/dev/disk/by-partuuid/', (d, v) => d.byPartUuid(v)],
  ['/dev/disk/by-partlabel/', (d, v) => d.byPartLabel(udevUnescape(v))],
];

/** resolve_fstab_device: a guest device path → the handle's device, or `spec` unchanged. */
export function resolveFstabDevice(spec: string, osType: OsType, d: DeviceDirectory): string {
  if (spec.startsWith('/dev/mapper')) return d.lvCanonical(spec) ?? spec;
  let m = /^\/dev\/(h|s|v|xv)d([a-z]+)(\d*)$/.exec(spec);
  if (m) return resolveXdev(m[2]!, m[3]!, spec, d);
  for (const [dir, look] of BY_DIRS) {
    if (spec.startsWith(dir)) return look(d, spec.slice(dir.length)) ?? spec;
  }
  m = /^\/dev\/disk\/by-id\/.*-part(\d+)$/.exec(spec);
  if (m) {
    // The SCSI/serial identity is lost: only a one-disk guest maps unambiguously.
    const dev = `/dev/sda${Number(m[1])}`;
    return d.disks().length === 1 && d.isPartition(dev) ? dev : spec;
  }
  return resolveBsdDevice(spec, osType, d) ?? spec;
}

/** /dev/vdb1 → the partition of the second disk: disks are assumed in the guest's order. */
function resolveXdev(disk: string, part: string, spec: string, d: DeviceDirectory): string {
  const i = driveIndex(disk);
  const disks = d.disks();
  if (i < 0 || i >= disks.length) return spec;
  const dev = disks[i]! + part;
  return d.isPartition(dev) ? dev : spec;
}

/** "a" → 0, "z" → 25, "aa" → 26 (libguestfs drive_index). */
function driveIndex(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

const sdName = (disk: number, part: number) => `/dev/sd${String.fromCharCode(97 + disk)}${part}`;

/** FreeBSD GPT/MBR, NetBSD and OpenBSD disklabel partitions, Hurd's hdNsM. */
function resolveBsdDevice(spec: string, osType: OsType, d: DeviceDirectory): string | undefined {
  let m = /^\/dev\/(ada{0,1}|vtbd)(\d+)p(\d+)$/.exec(spec);
  if (m) {
    const disk = Number(m[2]);
    const part = Number(m[3]);
    return disk <= 26 && part <= 128 ? sdName(disk, part) : undefined;
  }
  m = /^\/dev\/(ada{0,1}|vtbd)(\d+)s(\d+)([a-z])$/.exec(spec);
  if (m) {
    // FreeBSD slices: the BSD partitions of slice 1 appear as Linux partitions 5, 6…;
    // partition "c" is the whole slice and has none.
    const disk = Number(m[2]);
    const slice = Number(m[3]);
    let part = m[4]!.charCodeAt(0) - 97;
    if (part > 2) part--;
    return disk <= 26 && slice === 1 && part < 25 ? sdName(disk, part + 5) : undefined;
  }
  m = /^\/dev\/(l|s)d([0-9])([a-z])$/.exec(spec);
  if (m && osType === 'netbsd') {
    // NetBSD: "c" is the disklabel partition and "d" the whole disk.
    let part = m[3]!.charCodeAt(0) - 97;
    if (part > 3) part -= 2;
    return part < 24 ? sdName(Number(m[2]), part + 5) : undefined;
  }
  m = /^\/dev\/(s|w)d([0-9])([a-z])$/.exec(spec);
  if (m && osType === 'openbsd') {
    // OpenBSD: "c" is the whole disk; MAXPARTITIONS is 16.
    let part = m[3]!.charCodeAt(0) - 97;
    if (part > 2) part--;
    return part < 15 ? sdName(Number(m[2]), part + 5) : undefined;
  }
  m = /^\/dev\/(h)d(\d+)s(\d+)$/.exec(spec);
  if (m) {
    const letters = String.fromCharCode(97 + Number(m[2]));
    return resolveXdev(letters, m[3]!, spec, d);
  }
  return undefined;
}
