// package_format and package_management are functions of the distro (and, for the Red Hat
// family and Fedora, of the major version and whether dnf is installed), exactly as
// libguestfs derives them; a distro libguestfs gives none for stays "unknown".
// Reference: libguestfs daemon/inspect_fs.ml (check_package_format,
// check_package_management).

import type { FsView } from './fs-view.js';
import type { OsRoot } from './types.js';

const FORMAT: Record<string, string> = {};
const set = (table: Record<string, string>, value: string, distros: string[]) => {
  for (const d of distros) table[d] = value;
};
set(FORMAT, 'rpm', [
  'altlinux',
  'centos',
  'rocky',
  'fedora',
  'mageia',
  'mandriva',
  'meego',
  'neokylin',
  'openmandriva',
  'opensuse',
  'oraclelinux',
  'redhat-based',
  'rhel',
  'scientificlinux',
  'sles',
  'suse-based',
]);
set(FORMAT, 'deb', ['debian', 'kalilinux', 'kylin', 'linuxmint', 'ubuntu']);
set(FORMAT, 'pacman', ['archlinux']);
set(FORMAT, 'ebuild', ['gentoo']);
set(FORMAT, 'pisi', ['pardus']);
set(FORMAT, 'apk', ['alpinelinux']);
set(FORMAT, 'xbps', ['voidlinux']);

/** Managers that do not depend on the version. */
const MANAGEMENT: Record<string, string> = {};
set(MANAGEMENT, 'yum', ['meego']);
set(MANAGEMENT, 'dnf', ['neokylin', 'openmandriva']);
set(MANAGEMENT, 'apt', ['altlinux', 'debian', 'kalilinux', 'kylin', 'linuxmint', 'ubuntu']);
set(MANAGEMENT, 'pacman', ['archlinux']);
set(MANAGEMENT, 'portage', ['gentoo']);
set(MANAGEMENT, 'pisi', ['pardus']);
set(MANAGEMENT, 'urpmi', ['mageia', 'mandriva']);
set(MANAGEMENT, 'zypper', ['opensuse', 'sles', 'suse-based']);
set(MANAGEMENT, 'apk', ['alpinelinux']);
set(MANAGEMENT, 'xbps', ['voidlinux']);

const RED_HAT_FAMILY = new Set([
  'centos',
  'rocky',
  'oraclelinux',
  'redhat-based',
  'rhel',
  'scientificlinux',
]);

export function packageFormat(distro: string | undefined): string | undefined {
  return distro !== undefined && Object.hasOwn(FORMAT, distro) ? FORMAT[distro] : undefined;
}

/**
 * The package manager. `view` is the filesystem being classified: Fedora 22+ says dnf only
 * if /usr/bin/dnf is a file there (symlinks followed); a major version of 0 means the
 * release file could not be parsed (RHBZ#1332025) and gives nothing.
 */
export function packageManagement(d: Partial<OsRoot>, view: FsView): string | undefined {
  const distro = d.distro;
  if (distro === undefined) return undefined;
  const major = d.major_version ?? 0;
  if (distro === 'fedora') {
    if (major >= 22 && view.isFile('/usr/bin/dnf', true)) return 'dnf';
    return major >= 1 ? 'yum' : undefined;
  }
  if (RED_HAT_FAMILY.has(distro)) {
    if (major >= 8) return 'dnf';
    if (major >= 5) return 'yum';
    return major >= 2 ? 'up2date' : undefined;
  }
  return Object.hasOwn(MANAGEMENT, distro) ? MANAGEMENT[distro] : undefined;
}
