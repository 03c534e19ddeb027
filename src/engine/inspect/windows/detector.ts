// The Windows inspection pass: a filesystem holding a Windows system root (NTFS, FAT…) is
// a root of OS type "windows"; its identity comes from the SOFTWARE and SYSTEM hives and
// its architecture from System32/cmd.exe. Unknown fields stay unset for the pipeline's
// libguestfs defaults ("unknown", 0).
// Reference: libguestfs daemon/inspect_fs_windows.ml (check_windows_root,
// check_windows_arch, check_windows_registry), lib/inspect-osinfo.c.

import type { FileSystem } from '../../fs/types.js';
import { Hive, MAX_HIVE_BYTES } from '../../regf/hive.js';
import type { FsClassification, InspectFs, OsDetector, OsRoot } from '../types.js';
import { type WindowsDiskResolver } from './drive-mappings.js';
import { caseSensitivePath, isFileNocase, readWholeFile } from './guest-paths.js';
import { windowsOsinfo } from './osinfo.js';
import { PE_HEADER_WINDOW, peArchitecture } from './pe-arch.js';
import { readSoftwareHive } from './software-hive.js';
import { findSystemroot } from './systemroot.js';
import { readSystemHive } from './system-hive.js';

export type { WindowsDiskResolver } from './drive-mappings.js';

/** The architecture from cmd.exe's PE header, "unknown" if it is not a PE image. */
export function windowsArch(fs: FileSystem, systemroot: string): string {
  const cmd = caseSensitivePath(fs, `${systemroot}/system32/cmd.exe`);
  if (cmd === undefined) return 'unknown';
  return peArchitecture(fs.read(cmd, 0, PE_HEADER_WINDOW)) ?? 'unknown';
}

/** A hive file of the guest, opened; undefined if it does not exist. */
export function openGuestHive(fs: FileSystem, path: string): Hive | undefined {
  const real = caseSensitivePath(fs, path);
  if (real === undefined || !isFileNocase(fs, real)) return undefined;
  return Hive.open(readWholeFile(fs, real, MAX_HIVE_BYTES, 'MAX_HIVE_BYTES'), real);
}

export class WindowsDetector implements OsDetector {
  readonly name = 'windows';

  /** `disks` maps MountedDevices entries to devices; without it drive_mappings stay empty. */
  constructor(private readonly disks: WindowsDiskResolver = {}) {}

  detect(target: InspectFs): FsClassification | undefined {
    const systemroot = findSystemroot(target.fs);
    if (systemroot === undefined) return undefined;
    return { role: 'root', os: this.identity(target, systemroot) };
  }

  /** libguestfs' check_windows_root on a filesystem known to hold `systemroot`. */
  identity(target: InspectFs, systemroot: string): Partial<OsRoot> {
    const fs = target.fs;
    const os: Partial<OsRoot> = {
      type: 'windows',
      distro: 'windows',
      format: 'installed',
      windows_systemroot: systemroot,
      arch: windowsArch(fs, systemroot),
      mountpoints: [['/', target.device]],
      filesystems: [target.device],
    };
    const software = caseSensitivePath(fs, `${systemroot}/system32/config/software`);
    const system = caseSensitivePath(fs, `${systemroot}/system32/config/system`);
    if (software !== undefined && isFileNocase(fs, software)) os.windows_software_hive = software;
    if (system !== undefined && isFileNocase(fs, system)) os.windows_system_hive = system;
    // libguestfs reads the registry only when both hives exist.
    if (os.windows_software_hive && os.windows_system_hive) {
      Object.assign(os, readSoftwareHive(openGuestHive(fs, os.windows_software_hive)!));
      Object.assign(os, readSystemHive(openGuestHive(fs, os.windows_system_hive)!, this.disks));
    }
    os.osinfo = windowsOsinfo({
      major_version: os.major_version ?? 0,
      minor_version: os.minor_version ?? 0,
      product_name: os.product_name ?? 'unknown',
      product_variant: os.product_variant ?? 'unknown',
      build_id: os.build_id ?? 'unknown',
    });
    return os;
  }
}
