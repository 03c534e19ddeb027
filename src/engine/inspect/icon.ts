// inspect_get_icon: the PNG a guest carries for its OS, found where libguestfs looks — a
// favicon (/etc/favicon.png) unless the caller declines it, else a file per distro (the
// Fedora logo, RHEL's shadowman / fedora-logo-sprite, Debian's and Ubuntu's logos, Mageia,
// openSUSE, Void, ALT). A candidate counts only if it is a PNG whose IHDR says 16–1024
// pixels each way and whose size is within the limit libguestfs sets for that distro.
// Windows icons need the icon resources of explorer.exe converted from BMP, which guestkit
// does not do: Windows guests get no icon (libguestfs too, when icoutils/netpbm are
// missing). Not found is an empty buffer, never an error.
// Reference: libguestfs lib/inspect-icon.c (guestfs_impl_inspect_get_icon, get_png,
// icon_*); PNG specification §5.2 (signature), §11.2.2 (IHDR).

import type { OsRoot } from './types.js';

/** What the icon finder needs from the mounted guest. */
export interface IconSource {
  isFile(path: string, follow?: boolean): boolean;
  realpath(path: string): string | undefined;
  fileSize(path: string): number | undefined;
  readFile(path: string, maxBytes?: number): Uint8Array;
  /** Up to `length` bytes from the start of a regular file. */
  readHead(path: string, length: number): Uint8Array;
  readdir(path: string): string[];
  isDir(path: string): boolean;
}

export interface IconOptions {
  /** Look at /etc/favicon.png first (default true). */
  favicon?: boolean;
  /** Only high-quality icons: no favicon, no Ubuntu 24×24 logo (default false). */
  highquality?: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes holding the signature and the IHDR width and height. */
const PNG_HEAD_BYTES = 24;

/** Width and height from a PNG's IHDR, or undefined if `b` does not start like a PNG. */
export function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < PNG_HEAD_BYTES || PNG_SIGNATURE.some((x, i) => b[i] !== x)) return undefined;
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

/**
 * get_png: the PNG at `path` (symlinks followed) if it is plausible; `maxSize` 0 means
 * "4 bytes per pixel" as libguestfs computes it.
 */
export function getPng(src: IconSource, path: string, maxSize: number): Uint8Array | undefined {
  if (!src.isFile(path, true)) return undefined;
  const real = src.realpath(path);
  const size = real === undefined ? undefined : src.fileSize(real);
  if (real === undefined || size === undefined) return undefined;
  const dim = pngSize(src.readHead(real, PNG_HEAD_BYTES));
  if (!dim) return undefined;
  const { width: w, height: h } = dim;
  if (w < 16 || h < 16 || w > 1024 || h > 1024) return undefined;
  const limit = maxSize === 0 ? 4 * w * h : maxSize;
  if (size > limit) return undefined;
  return src.readFile(real, limit);
}

const FEDORA_ICON = '/usr/share/icons/hicolor/96x96/apps/fedora-logo-icon.png';
const RHEL_OLD_ICON = '/usr/share/pixmaps/redhat/shadowman-transparent.png';
const RHEL_ICON = '/usr/share/icons/hicolor/96x96/apps/system-logo-icon.png';
const DEBIAN_ICON = '/usr/share/pixmaps/debian-logo.png';
const UBUNTU_ICONS = [
  '/usr/share/icons/gnome/24x24/places/ubuntu-logo.png',
  // Very low quality, and only there with the ubuntu-desktop packages.
  '/usr/share/help/C/ubuntu-help/figures/ubuntu-logo.png',
];
const MAGEIA_ICON = '/usr/share/icons/mageia.png';
const OPENSUSE_ICON = '/usr/share/icons/hicolor/24x24/apps/distributor.png';
const VOID_ICON = '/usr/share/void-artwork/void-logo.png';
const ALT_ICON = '/usr/share/icons/hicolor/48x48/apps/altlinux.png';
const RHEL_FAMILY = new Set(['rhel', 'redhat-based', 'centos', 'scientificlinux', 'oraclelinux']);

/** The distro's own icon (libguestfs' icon_* functions), if it has one. */
function distroIcon(src: IconSource, root: OsRoot, highquality: boolean): Uint8Array | undefined {
  const d = root.distro;
  if (d === 'fedora') return getPng(src, FEDORA_ICON, 0);
  if (RHEL_FAMILY.has(d)) {
    // RHEL 7's shadowman logos are broken (RHBZ#1063300): from 7 on, the system logo. The
    // clones ship their own under the same names, with sizes that vary: one generous limit.
    return getPng(src, root.major_version < 7 ? RHEL_OLD_ICON : RHEL_ICON, 102400);
  }
  if (d === 'debian') return getPng(src, DEBIAN_ICON, 2048);
  if (d === 'ubuntu') {
    if (highquality) return undefined;
    for (const p of UBUNTU_ICONS) {
      const icon = getPng(src, p, 2048);
      if (icon) return icon;
    }
    return undefined;
  }
  if (d === 'mageia') return getPng(src, MAGEIA_ICON, 2048);
  if (d === 'suse-based' || d === 'opensuse' || d === 'sles')
    return getPng(src, OPENSUSE_ICON, 2048);
  if (d === 'voidlinux') return getPng(src, VOID_ICON, 20480);
  if (d === 'altlinux') return getPng(src, ALT_ICON, 20480);
  return undefined;
}

/** The on-disk spelling of an absolute path, each component matched case-insensitively. */
function caseInsensitive(src: IconSource, path: string): string | undefined {
  let cur = '/';
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (!src.isDir(cur)) return undefined;
    const names = src.readdir(cur);
    const hit =
      names.find((n) => n === part) ?? names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (hit === undefined) return undefined;
    cur = cur === '/' ? `/${hit}` : `${cur}/${hit}`;
  }
  return cur;
}

/** The icon as PNG bytes; a zero-length buffer when there is none. */
export function inspectIcon(src: IconSource, root: OsRoot, opts: IconOptions = {}): Uint8Array {
  const highquality = opts.highquality ?? false;
  const favicon = !highquality && (opts.favicon ?? true);
  if (favicon) {
    const path =
      root.type === 'windows'
        ? (caseInsensitive(src, '/etc/favicon.png') ?? '/etc/favicon.png')
        : '/etc/favicon.png';
    const icon = getPng(src, path, 0);
    if (icon) return icon;
  }
  if (root.type === 'linux' || root.type === 'hurd')
    return distroIcon(src, root, highquality) ?? new Uint8Array(0);
  return new Uint8Array(0);
}
