// The libosinfo short id of an inspected root (debian12, ubuntu22.04, fedora39, rhel9.3,
// sles15sp5, centos7.0, archlinux, freebsd13.2, win10 …), computed from type, distro and
// version exactly as libguestfs computes it; "unknown" when it cannot guess.
// Reference: libguestfs lib/inspect-osinfo.c (guestfs_impl_inspect_get_osinfo).

import type { OsRoot } from './types.js';
import { windowsOsinfo } from './windows/osinfo.js';

type Identity = Pick<
  OsRoot,
  'type' | 'distro' | 'major_version' | 'minor_version' | 'product_name' | 'product_variant'
> & { build_id: string };

const two = (n: number) => String(n).padStart(2, '0');

/** The Linux rules that answer for a distro, or undefined to fall through to the default. */
function linuxOsinfo(distro: string, major: number, minor: number): string | undefined {
  switch (distro) {
    case 'centos':
      if (major >= 8) return `centos${major}`;
      if (major === 7) return 'centos7.0';
      if (major === 6) return `centos6.${minor}`;
      return undefined;
    case 'circle':
    case 'rocky':
      return major >= 8 ? `${distro}${major}` : undefined;
    case 'debian':
      return major >= 4 ? `debian${major}` : undefined;
    case 'fedora':
    case 'mageia':
      return `${distro}${major}`;
    case 'sles':
      return minor === 0 ? `sles${major}` : `sles${major}sp${minor}`;
    case 'ubuntu':
      return `ubuntu${major}.${two(minor)}`;
    case 'archlinux':
    case 'gentoo':
    case 'voidlinux':
      return distro;
    case 'altlinux':
      return major >= 8 ? `alt${major}.${minor}` : `altlinux${major}.${minor}`;
    default:
      return undefined;
  }
}

export function osinfo(os: Identity): string {
  const { type, distro, major_version: major, minor_version: minor } = os;
  switch (type) {
    case 'linux': {
      const id = linuxOsinfo(distro, major, minor);
      if (id !== undefined) return id;
      return distro !== 'unknown' && (major > 0 || minor > 0)
        ? `${distro}${major}.${minor}`
        : 'unknown';
    }
    case 'freebsd':
    case 'netbsd':
    case 'openbsd':
      return `${distro}${major}.${minor}`;
    case 'dos':
      return distro === 'msdos' ? 'msdos6.22' : 'unknown';
    case 'windows':
      return windowsOsinfo(os);
    default:
      return 'unknown';
  }
}
