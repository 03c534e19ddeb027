// `guestkit ls` — virt-ls. Four modes: names (ls), -l (ll: `ls -la` text), -R (find:
// relative paths) and -lR, the recursive long listing made for parsing: one line per
// entry, the directory itself first, then each directory's entries in strcmp order, every
// directory followed by its contents. Fields: type, permissions (%04o), size (%10d), then
// with --uids uid gid, with --times atime mtime ctime, with --extra-stats device inode
// nlink rdev blocks, with --checksum the hash (regular files only), then the path and
// " -> target" for links. --csv separates with commas and quotes fields that need it.
// Reference: virt-ls(1) "OUTPUT MODES"; libguestfs cat/ls.c and cat/visit.c.

import { type EngineError, corrupt, isEngineError } from '../../engine/errors.js';
import { devMajorMinor } from '../../engine/guestfs/mounts.js';
import { MAX_WALK_DEPTH } from '../../engine/guestfs/walk.js';
import type { Guestfs } from '../../engine/guestfs/handle.js';
import type { GuestfsStatns } from '../../engine/guestfs/structs.js';
import { type CommonArgs, UsageError } from '../args.js';

export interface LsOptions {
  csv: boolean;
  human: boolean;
  uids: boolean;
  times: false | 'date' | 'time-t' | 'relative' | 'days';
  extraStats: boolean;
  checksum?: string;
  /** Seconds since the epoch, for --time-relative and --time-days. */
  now: number;
}

export function lsOptions(args: CommonArgs, long: boolean, recursive: boolean): LsOptions {
  const f = args.flags;
  const checksum = f.get('--checksum') ?? f.get('--checksums');
  const o: LsOptions = {
    csv: f.has('--csv'),
    human: f.has('-h') || f.has('--human-readable'),
    uids: f.has('--uids') || f.has('--uid'),
    times: f.has('--time-days')
      ? 'days'
      : f.has('--time-relative')
        ? 'relative'
        : f.has('--time-t')
          ? 'time-t'
          : f.has('--times') || f.has('--time')
            ? 'date'
            : false,
    extraStats: f.has('--extra-stats') || f.has('--extra-stat'),
    checksum:
      checksum === undefined ? undefined : checksum === true || checksum === '' ? 'md5' : checksum,
    now: Math.floor(Date.now() / 1000),
  };
  const lrOnly = o.csv || o.human || o.uids || o.times || o.extraStats || o.checksum;
  if (lrOnly && !(long && recursive))
    throw new UsageError('ls: used a flag which can only be combined with -lR mode');
  if (o.human && o.csv) throw new UsageError('ls: you cannot use -h and --csv options together');
  return o;
}

const TYPE_BITS: Record<number, string> = {
  0o100000: '-',
  0o040000: 'd',
  0o020000: 'c',
  0o060000: 'b',
  0o010000: 'p',
  0o120000: 'l',
  0o140000: 's',
};

/** gnulib human_readable with autoscale, base 1024, SI suffix, rounding to nearest. */
export function humanSize(n: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return String(n);
  if (v < 10) {
    const r = Math.round(v * 10) / 10;
    if (r < 10) return `${r.toFixed(1)}${units[u]}`;
    v = r;
  }
  const r = Math.round(v);
  if (r >= 1024 && u < units.length - 1) return `1.0${units[u + 1]}`;
  return `${r}${units[u]}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** strftime "%F %T" in local time. */
function localTime(sec: number): string {
  const d = new Date(sec * 1000);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** C's integer division truncates toward zero. */
const cdiv = (a: number, b: number) => Math.trunc(a / b);

class Line {
  private fields: string[] = [];
  constructor(private readonly csv: boolean) {}

  str(s: string): void {
    if (this.csv && /[ ",\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
    this.fields.push(s);
  }
  raw(s: string): void {
    this.fields.push(s);
  }
  toString(): string {
    return this.fields.join(this.csv ? ',' : ' ');
  }
}

function devString(dev: number): string {
  const [ma, mi] = devMajorMinor(dev);
  return `${ma}:${mi}`;
}

/** One -lR line, as virt-ls's show_file prints it. */
export function lsLine(g: Guestfs, o: LsOptions, path: string, st: GuestfsStatns): string {
  const l = new Line(o.csv);
  const type = TYPE_BITS[st.st_mode & 0o170000] ?? 'u';
  l.str(type);
  l.raw((st.st_mode & 0o7777).toString(8).padStart(4, '0'));
  if (o.csv) l.raw(o.human ? humanSize(st.st_size) : String(st.st_size));
  else l.raw((o.human ? humanSize(st.st_size) : String(st.st_size)).padStart(10));
  if (o.uids) {
    l.raw(String(st.st_uid).padStart(4));
    l.raw(String(st.st_gid).padStart(4));
  }
  if (o.times) {
    for (const t of [st.st_atime_sec, st.st_mtime_sec, st.st_ctime_sec]) {
      if (o.times === 'date') l.raw(localTime(t));
      else if (o.times === 'time-t') l.raw(String(t).padStart(10));
      else if (o.times === 'relative') l.raw(String(o.now - t).padStart(8));
      else l.raw(String(cdiv(o.now - t, 86400)).padStart(3));
    }
  }
  if (o.extraStats) {
    l.raw(devString(st.st_dev));
    l.raw(String(st.st_ino));
    l.raw(String(st.st_nlink));
    l.raw(devString(st.st_rdev));
    l.raw(String(st.st_blocks));
  }
  if (o.checksum) {
    if (type === '-') l.str(g.checksum(o.checksum, path));
    else if (o.csv) l.str('');
  }
  l.str(path);
  if (type === 'l') {
    const target = g.readlink(path);
    if (o.csv) l.str(target);
    else l.raw(`-> ${target}`);
  }
  return l.toString();
}

/** virt-ls's full_path: "/" + name, or dir without its trailing slash + "/" + name. */
export function fullPath(dir: string, name?: string): string {
  const d = dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
  if (dir === '/') return `/${name ?? ''}`;
  return name === undefined ? d : `${d}/${name}`;
}

export type ErrorSink = (e: EngineError) => void;

/** -lR: the directory itself, then everything below it. */
export function listRecursiveLong(
  g: Guestfs,
  o: LsOptions,
  dir: string,
  out: (s: string) => void,
  report: ErrorSink,
) {
  const top = g.lstatns(dir);
  out(`${lsLine(g, o, fullPath(dir), top)}\n`);
  visit(g, o, { dir, out, report }, new Set([devIno(top)]));
}

const devIno = (st: GuestfsStatns) => `${st.st_dev}:${st.st_ino}`;

interface Walk {
  dir: string;
  out: (s: string) => void;
  report: ErrorSink;
}

/** The line of one entry; an entry that cannot be read is reported and skipped. */
function entryLine(g: Guestfs, o: LsOptions, path: string, st: GuestfsStatns, report: ErrorSink) {
  try {
    // lstatnslist marks an entry it could not stat with st_ino -1: ask again for the error.
    const real = st.st_ino === -1 ? g.lstatns(path) : st;
    return { line: `${lsLine(g, o, path, real)}\n`, st: real };
  } catch (e) {
    if (!isEngineError(e)) throw e;
    report(e);
    return undefined;
  }
}

/**
 * A damaged filesystem can make a directory its own descendant: a directory met again
 * on its own ancestry (same device and inode) is reported instead of listed forever.
 */
function visit(g: Guestfs, o: LsOptions, w: Walk, seen: Set<string>) {
  if (seen.size > MAX_WALK_DEPTH)
    throw corrupt('directory tree', 0, `deeper than ${MAX_WALK_DEPTH} levels at ${w.dir}`);
  const names = g.ls(w.dir);
  const stats = g.lstatnslist(w.dir, names);
  names.forEach((name, i) => {
    const path = fullPath(w.dir, name);
    const got = entryLine(g, o, path, stats[i]!, w.report);
    if (!got) return;
    w.out(got.line);
    if ((got.st.st_mode & 0o170000) !== 0o040000) return;
    const key = devIno(got.st);
    if (seen.has(key))
      throw corrupt('directory tree', 0, `${path} is its own ancestor (inode ${got.st.st_ino})`);
    seen.add(key);
    visit(g, o, { ...w, dir: path }, seen);
    seen.delete(key);
  });
}

/** Runs one directory argument in the selected mode; per-entry errors go to `report`. */
export function runLs(
  g: Guestfs,
  args: CommonArgs,
  dir: string,
  out: (s: string) => void,
  report: ErrorSink,
): void {
  const long = args.flags.has('-l') || args.flags.has('--long');
  const recursive = args.flags.has('-R') || args.flags.has('--recursive');
  const o = lsOptions(args, long, recursive);
  if (long && recursive) listRecursiveLong(g, o, dir, out, report);
  else if (long) out(g.ll(dir));
  else if (recursive) for (const p of g.find(dir)) out(`${p}\n`);
  else for (const n of g.ls(dir)) out(`${n}\n`);
}
