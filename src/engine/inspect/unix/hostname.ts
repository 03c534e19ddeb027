// The guest's hostname, from the files each Unix family keeps it in, in libguestfs' order:
// Linux and Hurd look at /etc/HOSTNAME (old Debian, SUSE), then /etc/hostname (systemd,
// Debian, RHEL 7+), then HOSTNAME= in /etc/sysconfig/network (older Red Hat); the BSDs at
// hostname= in /etc/rc.conf; Minix at /etc/hostname.file.
// Reference: libguestfs daemon/inspect_fs_unix.ml (check_hostname_linux,
// check_hostname_from_file, check_hostname_from_sysconfig_network,
// check_hostname_freebsd, check_hostname_minix); hostname(5); rc.conf(5).

import type { FsView } from '../fs-view.js';

/**
 * The first line that is neither empty nor a comment ("#…"), as systemd's hostname(5)
 * reads /etc/hostname; undefined when the file is absent, too large or has no such line.
 */
export function hostnameFromFile(view: FsView, file: string): string | undefined {
  return view.readSmallLines(file)?.find((l) => l !== '' && !l.startsWith('#'));
}

/**
 * HOSTNAME from /etc/sysconfig/network as Augeas' Shellvars lens returns it: the value as
 * written (quotes included); nothing when the variable is absent or set more than once
 * (aug_get fails on several matches and libguestfs ignores that error).
 */
export function hostnameFromSysconfigNetwork(view: FsView): string | undefined {
  const lines = view.readSmallLines('/etc/sysconfig/network');
  if (!lines) return undefined;
  const values: string[] = [];
  for (const raw of lines) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^HOSTNAME=(.*)$/.exec(line);
    if (m) values.push(stripShellComment(m[1]!).trimEnd());
  }
  return values.length === 1 ? values[0] : undefined;
}

/** Shellvars keeps quotes but drops a trailing " # comment" after the value. */
function stripShellComment(value: string): string {
  const m = /^((?:"[^"]*"|'[^']*'|[^\s#])*)/.exec(value);
  return m ? m[1]! : value;
}

export function linuxHostname(view: FsView): string | undefined {
  for (const file of ['/etc/HOSTNAME', '/etc/hostname']) {
    const h = hostnameFromFile(view, file);
    if (h !== undefined) return h;
  }
  // libguestfs tests this one without following symlinks.
  if (view.isFile('/etc/sysconfig/network', false)) return hostnameFromSysconfigNetwork(view);
  return undefined;
}

/**
 * hostname= in /etc/rc.conf (FreeBSD, NetBSD and — by libguestfs' choice — OpenBSD). A
 * quoted value loses its first and last characters, an unquoted one is taken whole.
 */
export function bsdHostname(view: FsView): string | undefined {
  const lines = view.readSmallLines('/etc/rc.conf');
  if (!lines) return undefined;
  for (const line of lines) {
    if (line.startsWith('hostname="') || line.startsWith("hostname='"))
      return line.slice(10, Math.max(10, line.length - 1));
    if (line.startsWith('hostname=')) return line.slice(9);
  }
  return undefined;
}

export function minixHostname(view: FsView): string | undefined {
  return hostnameFromFile(view, '/etc/hostname.file');
}
