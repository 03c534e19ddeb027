// OS inspection: the data model and the contracts between the pipeline and its parts.
// Field names and string values are libguestfs' (guestfs(3) "INSPECTION", the
// inspect_get_* actions, virt-inspector's XML). Reference: libguestfs daemon/inspect*.ml.

import type { FileSystem } from '../fs/types.js';

/** One filesystem offered to inspection: mounted read-only on its own. */
export interface InspectFs {
  /** libguestfs mountable: /dev/sda2, /dev/VG/LV, … */
  device: string;
  /** blkid TYPE. */
  type: string;
  label?: string;
  uuid?: string;
  fs: FileSystem;
}

/** libguestfs' closed set of OS types. */
export type OsType =
  'linux' | 'windows' | 'freebsd' | 'netbsd' | 'openbsd' | 'hurd' | 'dos' | 'minix' | 'unknown';

/** Everything inspect_get_* returns for one root; unknown values use libguestfs' defaults. */
export interface OsRoot {
  root: string;
  type: OsType;
  /** debian, ubuntu, fedora, rhel, centos, rocky, almalinux, oraclelinux, opensuse, sles,
   * archlinux, alpine, gentoo, windows, freebsd, … or "unknown". */
  distro: string;
  product_name: string;
  /** "Client", "Server", "Workstation", … or "unknown". */
  product_variant: string;
  major_version: number;
  minor_version: number;
  /** x86_64, i386, aarch64, … or "unknown". */
  arch: string;
  hostname: string;
  build_id: string;
  /** deb, rpm, apk, pacman, ebuild, pisi, pkgsrc, … or "unknown". */
  package_format: string;
  /** apt, yum, dnf, zypper, apk, pacman, portage, … or "unknown". */
  package_management: string;
  /** libosinfo short id, e.g. debian12, win10, or "unknown". */
  osinfo: string;
  /** installed, installer or unknown. */
  format: 'installed' | 'installer' | 'unknown';
  is_live: boolean;
  is_netinst: boolean;
  is_multipart: boolean;
  /** Guest mountpoint → device, from fstab (or Windows' single C:). */
  mountpoints: [string, string][];
  /** Every filesystem that belongs to this OS. */
  filesystems: string[];
  windows_systemroot?: string;
  windows_software_hive?: string;
  windows_system_hive?: string;
  windows_current_control_set?: string;
  /** Windows drive letter → device, from MountedDevices. */
  drive_mappings?: [string, string][];
}

/**
 * libguestfs' first pass: what one filesystem is on its own. A detector returns undefined
 * when the filesystem is not its kind, or the facts it found (role "root" with the OS's
 * identity, or a non-root role such as "usr" / "home" for a Linux /usr on its own).
 */
export interface FsClassification {
  role: 'root' | 'usr' | 'other';
  os?: Partial<OsRoot>;
}

export interface OsDetector {
  readonly name: string;
  detect(fs: InspectFs): FsClassification | undefined;
}

/**
 * The guest with its filesystems mounted as fstab says (after inspect_os, the caller
 * mounts the root and its mountpoints): application listers read through this.
 */
export interface GuestView {
  exists(path: string): boolean;
  isDir(path: string): boolean;
  isFile(path: string): boolean;
  readFile(path: string, maxBytes?: number): Uint8Array;
  readdir(path: string): string[];
}

/** libguestfs' guestfs_application2 struct, field for field. */
export interface Application2 {
  app2_name: string;
  app2_display_name: string;
  app2_epoch: number;
  app2_version: string;
  app2_release: string;
  app2_arch: string;
  app2_install_path: string;
  app2_trans_path: string;
  app2_publisher: string;
  app2_url: string;
  app2_source_package: string;
  app2_summary: string;
  app2_description: string;
  app2_spare1: string;
  app2_spare2: string;
  app2_spare3: string;
  app2_spare4: string;
}

export interface ApplicationLister {
  /** The package_format (or "windows") this lister serves. */
  readonly format: string;
  list(guest: GuestView, root: OsRoot): Application2[];
}
