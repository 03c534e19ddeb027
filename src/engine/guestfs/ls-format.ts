// The text of `ls -la DIR` for the ll action, as GNU ls prints it in the C locale with
// numeric owners (the appliance has no names for the guest's users): a "total" line in
// 1 KiB blocks, then per entry the mode string (with "+" for a POSIX ACL, "." for an
// SELinux label, when any entry has one), link count, uid, gid, size (or "major, minor"),
// date and name, " -> target" for links. Columns are aligned like GNU ls.
// Reference: GNU coreutils ls(1) "-l", "--time-style" (default locale format: "%b %e %H:%M"
// within the last six months, "%b %e  %Y" otherwise); coreutils src/ls.c.

import type { Stat } from '../fs/types.js';
import { devMajorMinor } from './mounts.js';
import { lsTypeChar } from './structs.js';

export interface LsEntry {
  name: string;
  stat: Stat;
  /** Symlink target. */
  target?: string;
  /** "+" (ACL), "." (security context) or "" */
  mark: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** GNU ls: "recent" means within half an average Gregorian year before now. */
const SIX_MONTHS = 31556952 / 2;

/** drwxr-xr-x, with s/S, t/T for setuid, setgid and sticky. */
export function modeString(st: Stat): string {
  const m = st.mode;
  const bit = (mask: number, c: string) => (m & mask ? c : '-');
  const exec = (x: number, s: number, on: string, off: string) =>
    m & s ? (m & x ? on : off) : m & x ? 'x' : '-';
  return (
    lsTypeChar(st.type) +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    exec(0o100, 0o4000, 's', 'S') +
    bit(0o40, 'r') +
    bit(0o20, 'w') +
    exec(0o10, 0o2000, 's', 'S') +
    bit(0o4, 'r') +
    bit(0o2, 'w') +
    exec(0o1, 0o1000, 't', 'T')
  );
}

function lsTime(sec: number, nsec: number, nowMs: number): string {
  const d = new Date(sec * 1000);
  const now = nowMs / 1000;
  const t = sec + nsec / 1e9;
  const recent = t > now - SIX_MONTHS && t < now;
  const day = String(d.getDate()).padStart(2, ' ');
  const tail = recent
    ? `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
    : ` ${d.getFullYear()}`;
  return `${MONTHS[d.getMonth()]} ${day} ${tail}`;
}

const isDevice = (st: Stat) => st.type === 'chardev' || st.type === 'blockdev';

interface Widths {
  link: number;
  uid: number;
  gid: number;
  size: number;
  major: number;
  minor: number;
}

/** Column widths as GNU ls computes them over the whole listing. */
function widths(entries: LsEntry[]): Widths {
  const w: Widths = { link: 0, uid: 0, gid: 0, size: 0, major: 0, minor: 0 };
  const len = (n: number) => String(n).length;
  for (const { stat: st } of entries) {
    w.link = Math.max(w.link, len(st.nlink));
    w.uid = Math.max(w.uid, len(st.uid));
    w.gid = Math.max(w.gid, len(st.gid));
    if (isDevice(st)) {
      const [ma, mi] = devMajorMinor(st.rdev);
      w.major = Math.max(w.major, len(ma));
      w.minor = Math.max(w.minor, len(mi));
    } else w.size = Math.max(w.size, len(st.size));
  }
  // Device files show "major, minor" in the size column.
  if (w.major > 0) w.size = Math.max(w.size, w.major + 2 + w.minor);
  return w;
}

function longLine(e: LsEntry, w: Widths, anyMark: boolean, nowMs: number): string {
  const st = e.stat;
  let size = String(st.size);
  if (isDevice(st)) {
    const [ma, mi] = devMajorMinor(st.rdev);
    size = `${String(ma).padStart(w.major)}, ${String(mi).padStart(w.minor)}`;
  }
  return [
    modeString(st) + (anyMark ? e.mark || ' ' : ''),
    String(st.nlink).padStart(w.link),
    String(st.uid).padStart(w.uid),
    String(st.gid).padStart(w.gid),
    size.padStart(w.size),
    lsTime(st.mtimeSec, st.mtimeNsec, nowMs),
    e.target === undefined ? e.name : `${e.name} -> ${e.target}`,
  ].join(' ');
}

/**
 * Formats entries (already in output order) like `ls -lan`; `nowMs` fixes "recent".
 * `total` is false for a file argument: ls prints the "total" line only for directories.
 */
export function formatLsLong(entries: LsEntry[], nowMs: number, total = true): string {
  const anyMark = entries.some((e) => e.mark !== '');
  const w = widths(entries);
  // "total" counts 1 KiB blocks: the 512-byte blocks of every entry, halved, rounded up.
  const blocks = entries.reduce((n, e) => n + e.stat.blocks, 0);
  const lines = total ? [`total ${Math.ceil(blocks / 2)}`] : [];
  for (const e of entries) lines.push(longLine(e, w, anyMark, nowMs));
  return `${lines.join('\n')}\n`;
}

/**
 * GNU ls's mark after the mode: "+" when a POSIX ACL has more than the three base
 * entries (or a default ACL exists), "." when only a security context is present.
 */
export function aclMark(xattrNames: string[], accessAclEntries: number | undefined): string {
  if (xattrNames.includes('system.posix_acl_default')) return '+';
  if (accessAclEntries !== undefined && accessAclEntries > 3) return '+';
  if (xattrNames.includes('security.selinux')) return '.';
  return '';
}
