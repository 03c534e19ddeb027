// inspect_os as libguestfs runs it, a chain of small named passes:
//   1. classify: each filesystem is mounted read-only on its own and the detectors, in
//      order, say what it is (the first answer wins; swap is never mounted);
//   2. coreos: a CoreOS root absorbs the newest of its /usr partitions;
//   3. bsd-shadow: on a BSD, an MBR primary partition that shadows the real root
//      (/dev/sda5 …) is dropped;
//   4. linux-usr: a Linux root takes what its separate /usr knows and it does not (only a
//      /usr its fstab mounts, of the same or an unknown distro);
//   5. roots: every root-role filesystem becomes an OsRoot with libguestfs' defaults.
// A filesystem that cannot be mounted (no driver, damaged) is left out as libguestfs leaves
// it out, but never silently: it is reported in `notes`.
// Reference: libguestfs daemon/inspect.ml (inspect_os, collect_coreos_inspection_info,
// check_for_duplicated_bsd_root, collect_linux_inspection_info, inspect_get_*),
// daemon/inspect_fs.ml (check_for_filesystem_on), daemon/inspect_types.ml (merge).

import { EngineError, isEngineError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { FsView } from './fs-view.js';
import { osinfo } from './osinfo.js';
import { packageFormat, packageManagement } from './package-manager.js';
import type { FsClassification, InspectFs, OsDetector, OsRoot } from './types.js';

/** A filesystem offered to inspection, not yet mounted. */
export interface FsCandidate {
  device: string;
  /** blkid TYPE. */
  type: string;
  label?: string;
  uuid?: string;
  /** Mounts it read-only; throws EngineError when that is impossible. */
  open(): FileSystem;
}

export type FsRole = 'root' | 'usr' | 'swap' | 'other';

export interface InspectedFs {
  device: string;
  type: string;
  role: FsRole;
  os?: Partial<OsRoot>;
  /** The detector that recognised it. */
  detector?: string;
}

/** Why a filesystem could not be inspected. Shown to the user; never silent. */
export interface InspectionNote {
  device: string;
  type: string;
  /** unreadable: no driver, or encrypted (unsupported, locked); damaged: reading failed. */
  kind: 'unreadable' | 'damaged';
  message: string;
  error?: EngineError;
}

export interface Inspection {
  fses: InspectedFs[];
  roots: OsRoot[];
  notes: InspectionNote[];
}

/** Pass 1 for one filesystem. */
export function classify(
  c: FsCandidate,
  detectors: readonly OsDetector[],
  notes: InspectionNote[],
): InspectedFs | undefined {
  if (c.type === 'swap') return { device: c.device, type: c.type, role: 'swap' };
  let fs: FileSystem;
  try {
    fs = c.open();
  } catch (e) {
    if (!isEngineError(e)) throw e;
    notes.push(noteOf(c, e));
    return undefined;
  }
  try {
    const target: InspectFs = { device: c.device, type: c.type, label: c.label, uuid: c.uuid, fs };
    for (const d of detectors) {
      const found = d.detect(target);
      if (found) return withPackaging({ device: c.device, type: c.type, ...found }, d.name, fs);
    }
    return { device: c.device, type: c.type, role: 'other' };
  } catch (e) {
    if (!isEngineError(e)) throw e;
    notes.push(noteOf(c, e));
    return undefined;
  } finally {
    fs.close();
  }
}

function noteOf(c: FsCandidate, e: EngineError): InspectionNote {
  const kind = e.kind === 'unsupported' || e.kind === 'locked' ? 'unreadable' : 'damaged';
  return { device: c.device, type: c.type, kind, message: e.message, error: e };
}

/** check_filesystem's last step: the package system follows from distro and version. */
function withPackaging(
  f: FsClassification & { device: string; type: string },
  detector: string,
  fs: FileSystem,
): InspectedFs {
  const out: InspectedFs = { device: f.device, type: f.type, role: f.role, detector };
  if (f.os) {
    const os = { ...f.os };
    const format = packageFormat(os.distro);
    const mgmt = packageManagement(os, new FsView(fs));
    if (format !== undefined) os.package_format = format;
    if (mgmt !== undefined) os.package_management = mgmt;
    out.os = os;
  }
  return out;
}

export function inspectOs(
  candidates: readonly FsCandidate[],
  detectors: readonly OsDetector[],
): Inspection {
  const notes: InspectionNote[] = [];
  let fses: InspectedFs[] = [];
  for (const c of candidates) {
    const f = classify(c, detectors, notes);
    if (f) fses.push(f);
  }
  fses = collectCoreos(fses);
  fses = dropShadowBsdRoot(fses);
  collectLinuxUsr(fses);
  return { fses, roots: fses.filter((f) => f.role === 'root').map(toOsRoot), notes };
}

// ---- pass 2–4 ----

/** inspect_types.ml merge: the parent keeps what it has; fstab and drive maps concatenate. */
export function mergeInto(child: Partial<OsRoot>, parent: Partial<OsRoot>): void {
  const scalar = [
    'type',
    'distro',
    'package_format',
    'package_management',
    'product_name',
    'product_variant',
    'arch',
    'hostname',
    'build_id',
    'windows_systemroot',
    'windows_software_hive',
    'windows_system_hive',
    'windows_current_control_set',
  ] as const;
  const p = parent as Record<string, unknown>;
  for (const k of scalar) if (p[k] === undefined && child[k] !== undefined) p[k] = child[k];
  // The version is one field (major, minor) in libguestfs.
  if (parent.major_version === undefined && child.major_version !== undefined) {
    parent.major_version = child.major_version;
    parent.minor_version = child.minor_version;
  }
  if (child.filesystems?.length) {
    parent.mountpoints = [...(child.mountpoints ?? []), ...(parent.mountpoints ?? [])];
    parent.filesystems = [...child.filesystems, ...(parent.filesystems ?? [])];
  }
  if (child.drive_mappings?.length)
    parent.drive_mappings = [...child.drive_mappings, ...(parent.drive_mappings ?? [])];
}

/**
 * CoreOS keeps two /usr partitions (USR-A, USR-B); which one is active cannot be told
 * without the boot loader, so like libguestfs take the higher version.
 */
function collectCoreos(fses: InspectedFs[]): InspectedFs[] {
  const isCoreos = (f: InspectedFs, role: FsRole) => f.role === role && f.os?.distro === 'coreos';
  const roots = fses.filter((f) => isCoreos(f, 'root'));
  if (roots.length === 0) return fses;
  if (roots.length > 1) throw new EngineError('EINVAL', 'multiple CoreOS root filesystems found');
  const usrs = fses.filter((f) => isCoreos(f, 'usr'));
  if (usrs.length === 0) return fses;
  const version = (f: InspectedFs) => [f.os?.major_version ?? 0, f.os?.minor_version ?? 0];
  usrs.sort((a, b) => {
    const [a1, a2] = version(a);
    const [b1, b2] = version(b);
    return b1! - a1! || b2! - a2!;
  });
  mergeInto(usrs[0]!.os!, roots[0]!.os!);
  // libguestfs rebuilds the list as root :: others, the others in reverse order.
  const others = fses.filter((f) => !isCoreos(f, 'root') && !isCoreos(f, 'usr')).reverse();
  return [roots[0]!, ...others];
}

const BSD_TYPES = new Set(['freebsd', 'netbsd', 'openbsd']);

/** A BSD root on /dev/sdX1–4 is dropped when another root of the same BSD exists. */
function dropShadowBsdRoot(fses: InspectedFs[]): InspectedFs[] {
  const bsdRoot = (f: InspectedFs) => f.role === 'root' && BSD_TYPES.has(f.os?.type ?? '');
  const primary = fses.find((f) => bsdRoot(f) && /^\/dev\/[hsv]d.[1234]$/.test(f.device));
  if (!primary) return fses;
  const rest = fses.filter((f) => f !== primary);
  const shadowed = rest.some((f) => f.role === 'root' && f.os?.type === primary.os!.type);
  return shadowed ? rest : fses;
}

function collectLinuxUsr(fses: InspectedFs[]): void {
  for (const root of fses) {
    const distro = root.os?.distro;
    if (root.role !== 'root' || distro === undefined || distro === 'coreos') continue;
    const usr = fses.find(
      (f) => f.role === 'usr' && (f.os?.distro === distro || f.os?.distro === undefined),
    );
    if (!usr || !(root.os!.filesystems ?? []).includes(usr.device)) continue;
    mergeInto(usr.os ?? {}, root.os!);
  }
}

// ---- pass 5 ----

/** The root with libguestfs' answers for what inspection did not find. */
export function toOsRoot(f: InspectedFs): OsRoot {
  const os = f.os ?? {};
  const hasFstab = (os.filesystems?.length ?? 0) > 0;
  const root: OsRoot = {
    root: f.device,
    type: os.type ?? 'unknown',
    distro: os.distro ?? 'unknown',
    product_name: os.product_name ?? 'unknown',
    product_variant: os.product_variant ?? 'unknown',
    major_version: os.major_version ?? 0,
    minor_version: os.minor_version ?? 0,
    arch: os.arch ?? 'unknown',
    hostname: os.hostname ?? 'unknown',
    build_id: os.build_id ?? 'unknown',
    package_format: os.package_format ?? 'unknown',
    package_management: os.package_management ?? 'unknown',
    osinfo: 'unknown',
    // libguestfs ≥ 1.38 no longer inspects install media: every root is "installed".
    format: 'installed',
    is_live: false,
    is_netinst: false,
    is_multipart: false,
    // No fstab (Windows, DOS, a Linux root without one): the root alone, on "/".
    mountpoints: hasFstab ? [...(os.mountpoints ?? [])] : [['/', f.device]],
    filesystems: hasFstab ? [...os.filesystems!] : [f.device],
    drive_mappings: [...(os.drive_mappings ?? [])],
  };
  for (const k of [
    'windows_systemroot',
    'windows_software_hive',
    'windows_system_hive',
    'windows_current_control_set',
  ] as const) {
    if (os[k] !== undefined) root[k] = os[k];
  }
  root.osinfo = osinfo(root);
  return root;
}
