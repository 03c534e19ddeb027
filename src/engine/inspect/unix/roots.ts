// What a Unix-like filesystem says about its OS once the marker files have said which kind
// it is: for a Linux root the release files, the architecture of its binaries, its fstab
// and hostname; for a Linux /usr the os-release it carries and its architecture; CoreOS's
// split root and /usr; the BSDs (release text in /etc/motd or /etc/release, rc.conf),
// GNU/Hurd and Minix.
// Reference: libguestfs daemon/inspect_fs_unix.ml (check_linux_root, check_architecture,
// check_linux_usr, check_coreos_root, check_coreos_usr, check_freebsd_root,
// check_netbsd_root, check_openbsd_root, check_hurd_root, check_minix_root).

import type { FsView } from '../fs-view.js';
import { ELF_HEADER_BYTES, elfArchitecture } from './elf-arch.js';
import { type DeviceDirectory, type FstabEntry, checkFstab } from './fstab.js';
import { bsdHostname, linuxHostname, minixHostname } from './hostname.js';
import {
  type Data,
  HURD_ROOT_TESTS,
  LINUX_ROOT_TESTS,
  parseGeneric,
  parseLsbRelease,
  parseOsRelease,
  runReleaseTests,
} from './release-files.js';
import type { OsType } from '../types.js';

/** The binaries whose ELF header gives the architecture, in libguestfs' order. */
export const ARCH_BINARIES = ['/bin/bash', '/bin/ls', '/bin/echo', '/bin/rm', '/bin/sh'];

export interface UnixContext {
  view: FsView;
  /** The device being inspected (the root of its own fstab's "/dev/root"). */
  device: string;
  devices: DeviceDirectory;
}

/** Facts of one filesystem plus its fstab (kept apart: libguestfs merges them as a list). */
export interface UnixFacts extends Data {
  fstab?: FstabEntry[];
}

/**
 * check_architecture: the first of ARCH_BINARIES that is a regular file (symlinks followed
 * inside this filesystem, so merged-/usr guests are read through /bin → usr/bin) and whose
 * header names an architecture.
 */
export function checkArchitecture(view: FsView): string | undefined {
  for (const bin of ARCH_BINARIES) {
    const r = view.resolve(bin, true);
    if (!r || r.stat.type !== 'file') continue;
    const arch = elfArchitecture(view.readRange(r.path, 0, ELF_HEADER_BYTES));
    if (arch !== undefined) return arch;
  }
  return undefined;
}

function fstabOf(ctx: UnixContext, osType: OsType): FstabEntry[] {
  return checkFstab(ctx.view, { root: ctx.device, osType, devices: ctx.devices });
}

export function checkLinuxRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'linux' };
  runReleaseTests(ctx.view, LINUX_ROOT_TESTS, d);
  d.arch = checkArchitecture(ctx.view);
  d.fstab = fstabOf(ctx, 'linux');
  d.hostname = linuxHostname(ctx.view);
  return d;
}

/** A Linux /usr on its own: its os-release (lib/os-release here) and binaries. */
export function checkLinuxUsr(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'linux' };
  if (ctx.view.isFile('/lib/os-release', true)) parseOsRelease(ctx.view, '/lib/os-release', d);
  const arch = checkArchitecture(ctx.view);
  if (arch !== undefined) d.arch = arch;
  return d;
}

/** CoreOS keeps only configuration on its root; the OS is on a separate /usr. */
export function checkCoreosRoot(ctx: UnixContext): UnixFacts {
  return {
    type: 'linux',
    distro: 'coreos',
    hostname: linuxHostname(ctx.view),
    // No /etc/fstab on CoreOS: the filesystem is "/" by definition.
    fstab: [[ctx.device, '/']],
  };
}

export function checkCoreosUsr(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'linux', distro: 'coreos' };
  const v = ctx.view;
  if (v.isFile('/lib/os-release', true)) parseOsRelease(v, '/lib/os-release', d);
  else if (v.isFile('/share/coreos/lsb-release', true))
    parseLsbRelease(v, '/share/coreos/lsb-release', d);
  const arch = checkArchitecture(v);
  if (arch !== undefined) d.arch = arch;
  d.fstab = [[ctx.device, '/usr']];
  return d;
}

/** FreeBSD has no authoritative version file: the first line of /etc/motd names it. */
export function checkFreebsdRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'freebsd', distro: 'freebsd' };
  if (ctx.view.isFile('/etc/motd', true)) parseGeneric('freebsd')(ctx.view, '/etc/motd', d);
  return bsdCommon(ctx, d, 'freebsd');
}

export function checkNetbsdRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'netbsd', distro: 'netbsd' };
  if (ctx.view.isFile('/etc/release', true))
    parseGeneric('netbsd', /^NetBSD (\d+)\.(\d+)/)(ctx.view, '/etc/release', d);
  return bsdCommon(ctx, d, 'netbsd');
}

/**
 * libguestfs (daemon/inspect_fs_unix.ml, check_openbsd_root) records an OpenBSD root with
 * OS type and distro "freebsd" and reads its hostname from rc.conf; reproduced as is so
 * the answers match libguestfs'. The fstab is still read with OpenBSD device names.
 */
export function checkOpenbsdRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'freebsd', distro: 'freebsd' };
  if (ctx.view.isFile('/etc/motd', true)) parseGeneric('freebsd')(ctx.view, '/etc/motd', d);
  return bsdCommon(ctx, d, 'freebsd');
}

function bsdCommon(ctx: UnixContext, d: UnixFacts, osType: OsType): UnixFacts {
  d.arch = checkArchitecture(ctx.view);
  d.fstab = fstabOf(ctx, osType);
  d.hostname = bsdHostname(ctx.view);
  return d;
}

export function checkHurdRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'hurd' };
  runReleaseTests(ctx.view, HURD_ROOT_TESTS, d);
  d.arch = checkArchitecture(ctx.view);
  d.fstab = fstabOf(ctx, 'hurd');
  d.hostname = linuxHostname(ctx.view);
  return d;
}

/** Minix: /etc/version gives the version only (libguestfs leaves the distro unset). */
export function checkMinixRoot(ctx: UnixContext): UnixFacts {
  const d: UnixFacts = { type: 'minix' };
  if (ctx.view.isFile('/etc/version', true)) {
    parseGeneric('minix', /^(\d+)\.(\d+)(\.(\d+))?/)(ctx.view, '/etc/version', d);
    delete d.distro;
  }
  d.arch = checkArchitecture(ctx.view);
  d.hostname = minixHostname(ctx.view);
  return d;
}
