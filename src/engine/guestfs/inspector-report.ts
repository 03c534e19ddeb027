// virt-inspector's work on a launched, inspected handle: per root, the identity through
// the inspect_get_* actions, mountpoints and filesystems (with vfs type, label and UUID),
// Windows drive letters, then — with the guest mounted as its fstab says, the way the
// virt tools' inspect_mount_root mounts it — the installed applications and the icon.
// Reference: guestfs-tools inspector/inspector.c (output_root and its helpers),
// common/options/inspect.c (inspect_mount_root).

import { isEngineError } from '../errors.js';
import {
  type InspectorReport,
  type ReportOs,
  compareMountpoints,
  reportApplication,
  strcasecmp,
  strcmp,
} from '../inspect/report.js';
import type { Guestfs } from './handle.js';

export interface ReportOptions {
  /** List installed applications (virt-inspector's default; --no-applications). */
  applications?: boolean;
  /** Include the icon (virt-inspector's default; --no-icon). Favicons are never used. */
  icon?: boolean;
}

/**
 * inspect_mount_root: the root's mountpoints, shortest first, each mounted read-only; a
 * failure on "/" is fatal, the others are collected as warnings and skipped.
 */
export function inspectMountRoot(g: Guestfs, root: string): string[] {
  const mps = Object.entries(g.inspect_get_mountpoints(root)).sort((a, b) =>
    compareMountpoints(a[0], b[0]),
  );
  const warnings: string[] = [];
  for (const [mp, dev] of mps) {
    try {
      g.mount_ro(dev, mp);
    } catch (e) {
      if (mp === '/' || !isEngineError(e)) throw e;
      warnings.push(`${dev} on ${mp}: ${e.message}`);
    }
  }
  return warnings;
}

const unknown = (s: string) => (s === 'unknown' ? undefined : s);

/**
 * The device a vfs_* query is asked about: a btrfs subvolume ("btrfsvol:DEVICE/SUBVOL")
 * lives on its device, /dev/sdXN or /dev/VG/LV, whichever exists.
 */
function vfsDevice(g: Guestfs, mountable: string): string {
  if (!mountable.startsWith('btrfsvol:')) return mountable;
  const parts = mountable.slice('btrfsvol:'.length).split('/');
  const lv = parts.slice(0, 4).join('/');
  const exists = (d: string) => {
    try {
      g.device(d, 'vfs_type');
      return true;
    } catch {
      return false;
    }
  };
  return parts.length > 4 && exists(lv) ? lv : parts.slice(0, 3).join('/');
}

/** vfs_type/label/uuid with errors silenced, as virt-inspector does; "" is left out. */
function quiet(fn: () => string): string | undefined {
  try {
    return fn() || undefined;
  } catch (e) {
    if (isEngineError(e)) return undefined;
    throw e;
  }
}

function windowsValue(fn: () => string): string | undefined {
  return quiet(fn);
}

function identity(g: Guestfs, root: string): ReportOs {
  return {
    root: g.canonical_device_name(root),
    name: unknown(g.inspect_get_type(root)),
    arch: unknown(g.inspect_get_arch(root)),
    distro: unknown(g.inspect_get_distro(root)),
    product_name: unknown(g.inspect_get_product_name(root)),
    product_variant: unknown(g.inspect_get_product_variant(root)),
    major_version: g.inspect_get_major_version(root),
    minor_version: g.inspect_get_minor_version(root),
    package_format: unknown(g.inspect_get_package_format(root)),
    package_management: unknown(g.inspect_get_package_management(root)),
    windows_systemroot: windowsValue(() => g.inspect_get_windows_systemroot(root)),
    windows_current_control_set: windowsValue(() =>
      g.inspect_get_windows_current_control_set(root),
    ),
    hostname: unknown(g.inspect_get_hostname(root)),
    osinfo: unknown(g.inspect_get_osinfo(root)),
    mountpoints: [],
    filesystems: [],
  };
}

function layout(g: Guestfs, root: string, os: ReportOs): void {
  os.mountpoints = Object.entries(g.inspect_get_mountpoints(root))
    .sort((a, b) => compareMountpoints(a[0], b[0]))
    .map(([mountpoint, dev]) => ({ dev: g.canonical_device_name(dev), mountpoint }));
  os.filesystems = [...g.inspect_get_filesystems(root)].sort(strcmp).map((fs) => {
    const dev = vfsDevice(g, fs);
    return {
      dev: g.canonical_device_name(fs),
      type: quiet(() => g.vfs_type(dev)),
      label: quiet(() => g.vfs_label(dev)),
      uuid: quiet(() => g.vfs_uuid(dev)),
    };
  });
  const drives = Object.entries(g.inspect_get_drive_mappings(root)).sort((a, b) =>
    strcasecmp(a[0], b[0]),
  );
  if (drives.length > 0)
    os.drive_mappings = drives.map(([name, dev]) => ({ name, dev: g.canonical_device_name(dev) }));
}

/** The report for `roots` (inspect_os' answer). Warnings: filesystems that did not mount. */
export function inspectorReport(
  g: Guestfs,
  roots: readonly string[],
  opts: ReportOptions = {},
): { report: InspectorReport; warnings: string[] } {
  const apps = opts.applications ?? true;
  const icon = opts.icon ?? true;
  const warnings: string[] = [];
  const operatingsystems = roots.map((root) => {
    const os = identity(g, root);
    layout(g, root, os);
    if (apps || icon) {
      warnings.push(...inspectMountRoot(g, root));
      try {
        if (apps) os.applications = g.inspect_list_applications2(root).map(reportApplication);
        if (icon) {
          const png = g.inspect_get_icon(root, { favicon: false });
          if (png.length > 0) os.icon = png;
        }
      } finally {
        g.umount_all();
      }
    }
    for (const k of Object.keys(os) as (keyof ReportOs)[]) if (os[k] === undefined) delete os[k];
    return os;
  });
  return { report: { operatingsystems }, warnings };
}
