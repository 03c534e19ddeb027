// Actions over trees and file contents: find, glob_expand, case_sensitive_path, ll, the
// grep family and checksum. File data is read in slices (READ_CHUNK), so grep and
// checksum handle files of any size in bounded memory.
// Reference: guestfs(3) guestfs_find, guestfs_glob_expand, guestfs_case_sensitive_path,
// guestfs_ll, guestfs_grep (and the deprecated egrep … zfgrepi), guestfs_checksum.

import { Gunzip } from 'fflate';
import { EngineError, isEngineError, unsupported } from '../errors.js';
import { createHasher } from './checksum.js';
import { READ_CHUNK, compareNames, requireRegular } from './file-actions.js';
import { expandBraces, fnmatch, hasMagic, unescapeGlob } from './glob.js';
import type { FsLayer } from './layer.js';
import { type LsEntry, aclMark, formatLsLong } from './ls-format.js';
import { type Location, checkPathname, joinPath, pathError } from './paths.js';
import { type GrepOptions, compileGrep } from './posix-regex.js';
import { sortedEntries, walkTree } from './walk.js';

/** A grep line longer than this is refused rather than buffered without bound. */
export const GREP_MAX_LINE = 64 * 1024 * 1024;

/** Streams the bytes of a resolved regular file to `sink`, READ_CHUNK at a time. */
export function streamFile(
  layer: FsLayer,
  loc: Location,
  action: string,
  userPath: string,
  sink: (chunk: Uint8Array) => void,
): number {
  requireRegular(loc, action, userPath);
  let off = 0;
  while (off < loc.stat.size) {
    const part = layer.paths.read(
      loc,
      off,
      Math.min(READ_CHUNK, loc.stat.size - off),
      action,
      userPath,
    );
    if (part.length === 0) break;
    sink(part);
    off += part.length;
  }
  return off;
}

function tryResolve(layer: FsLayer, path: string, follow: boolean, action: string) {
  try {
    return layer.paths.resolve(path, follow, action);
  } catch (e) {
    if (isEngineError(e) && ['ENOENT', 'ENOTDIR', 'ELOOP'].includes(e.kind)) return undefined;
    throw e;
  }
}

// ---- glob_expand ----

function globOne(layer: FsLayer, pattern: string, mark: boolean): string[] {
  const comps = pattern.split('/').filter((c) => c !== '');
  let found: string[] = ['/'];
  for (let i = 0; i < comps.length; i++) {
    const comp = comps[i]!;
    const next: string[] = [];
    for (const base of found) {
      if (!hasMagic(comp)) {
        const p = joinPath(base, unescapeGlob(comp));
        if (tryResolve(layer, p, false, 'glob_expand')) next.push(p);
        continue;
      }
      const dir = tryResolve(layer, base, true, 'glob_expand');
      if (!dir || dir.stat.type !== 'directory') continue;
      // readdir(3) in glob(3) sees "." and ".." too: ".*" matches them.
      const names = [
        '.',
        '..',
        ...layer.paths.readdir(dir, 'glob_expand', base).map((e) => e.name),
      ];
      for (const n of names.sort(compareNames))
        if (fnmatch(comp, n, { period: true })) next.push(joinPath(base, n));
    }
    found = next;
  }
  if (comps.length === 0) found = tryResolve(layer, '/', true, 'glob_expand') ? ['/'] : [];
  const out = found.map((p) => {
    if (!mark || p === '/') return p;
    return tryResolve(layer, p, true, 'glob_expand')?.stat.type === 'directory' ? `${p}/` : p;
  });
  return out.sort(compareNames);
}

// ---- grep ----

/** Splits a byte stream into lines and tests each; returns the matching lines. */
class LineMatcher {
  private carry: Uint8Array[] = [];
  private carryLen = 0;
  readonly matches: string[] = [];
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly re: RegExp,
    private readonly path: string,
  ) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.line(this.joinCarry(chunk.subarray(start, nl)));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.carry.push(chunk.slice(start));
      this.carryLen += chunk.length - start;
      if (this.carryLen > GREP_MAX_LINE)
        throw unsupported(`grep lines longer than ${GREP_MAX_LINE} bytes`, `in ${this.path}`);
    }
  }

  finish(): string[] {
    if (this.carryLen > 0) this.line(this.joinCarry(new Uint8Array(0)));
    return this.matches;
  }

  private joinCarry(tail: Uint8Array): Uint8Array {
    if (this.carryLen === 0) return tail;
    const out = new Uint8Array(this.carryLen + tail.length);
    let o = 0;
    for (const c of this.carry) {
      out.set(c, o);
      o += c.length;
    }
    out.set(tail, o);
    this.carry = [];
    this.carryLen = 0;
    return out;
  }

  private line(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes);
    if (this.re.test(text)) this.matches.push(text);
  }
}

/** zgrep reads gzip data decompressed and anything else as it is (gzip -cdf). */
function grepSink(m: LineMatcher, compressed: boolean, path: string) {
  if (!compressed) return { push: (c: Uint8Array) => m.push(c), end: () => undefined };
  let mode: 'unknown' | 'gzip' | 'plain' = 'unknown';
  const gz = new Gunzip((data) => m.push(data));
  return {
    push(c: Uint8Array) {
      if (mode === 'unknown') {
        if (c[0] === 0x1f && (c[1] === 0x9d || c[1] === 0x1e))
          throw unsupported('grep compressed: compress (.Z) and pack data', path);
        mode = c[0] === 0x1f && c[1] === 0x8b ? 'gzip' : 'plain';
      }
      if (mode === 'gzip') gz.push(c);
      else m.push(c);
    },
    end() {
      if (mode !== 'gzip') return;
      try {
        gz.push(new Uint8Array(0), true);
      } catch (e) {
        throw new EngineError('corrupt', `grep: ${path}: gzip data: ${String(e)}`, {
          structure: 'gzip stream',
          offset: 0,
          path,
        });
      }
    },
  };
}

function grepImpl(layer: FsLayer, action: string, regex: string, path: string, opts: GrepOptions) {
  const re = compileGrep(regex, opts);
  const loc = layer.paths.resolve(path, true, action);
  const matcher = new LineMatcher(re, path);
  const sink = grepSink(matcher, opts.compressed === true, path);
  try {
    streamFile(layer, loc, action, path, (c) => sink.push(c));
    sink.end();
  } catch (e) {
    if (isEngineError(e)) throw e;
    throw new EngineError('corrupt', `${action}: ${path}: gzip data: ${String(e)}`, {
      structure: 'gzip stream',
      offset: 0,
      path,
    });
  }
  return matcher.finish();
}

const grepVariant =
  (action: string, opts: GrepOptions) =>
  (layer: FsLayer, regex: string, path: string): string[] =>
    grepImpl(layer, action, regex, path, opts);

// ---- case_sensitive_path ----

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function caseSensitivePath(layer: FsLayer, path: string): string {
  const action = 'case_sensitive_path';
  checkPathname(path, action);
  const comps = path.split('/').filter((c) => c !== '');
  if (comps.some((c) => c === '.' || c === '..'))
    throw pathError('EINVAL', action, path, 'path must not contain "." or ".." elements');
  let shown = '';
  let dir = layer.paths.resolve('/', true, action);
  for (let i = 0; i < comps.length; i++) {
    const want = comps[i]!;
    const names = layer.paths.readdir(dir, action, shown || '/').map((e) => e.name);
    // The exact spelling first: on a case-sensitive filesystem holding both "File" and
    // "file" the caller's wins (the daemon takes whichever readdir returns first). Folding
    // is ASCII only, as strcasecmp in the appliance's C locale.
    const hit = names.includes(want) ? want : names.find((n) => asciiLower(n) === asciiLower(want));
    if (hit === undefined) {
      // A missing last element is appended as given (the parent's case is still fixed).
      if (i === comps.length - 1) return `${shown}/${want}`;
      throw pathError('ENOENT', action, path);
    }
    shown = `${shown}/${hit}`;
    if (i < comps.length - 1) {
      dir = layer.paths.resolve(joinPath(dir.path, hit), true, action);
      if (dir.stat.type !== 'directory') throw pathError('ENOTDIR', action, path);
    }
  }
  return shown || '/';
}

// ---- ll ----

function lsEntry(layer: FsLayer, name: string, loc: Location): LsEntry {
  const entry: LsEntry = { name, stat: loc.stat, mark: '' };
  if (loc.stat.type === 'symlink') entry.target = layer.paths.readlink(loc, 'll');
  if (loc.mount) {
    const xs = loc.mount.fs.listxattrs(loc.fsPath);
    const acl = xs.find((x) => x.name === 'system.posix_acl_access');
    const entries = acl ? Math.floor((acl.value.length - 4) / 8) : undefined;
    entry.mark = aclMark(
      xs.map((x) => x.name),
      entries,
    );
  }
  return entry;
}

export const TREE_ACTIONS = {
  /** Every path below `directory`, relative to it, sorted. */
  find(layer: FsLayer, directory: string): string[] {
    const root = layer.paths.resolve(directory, true, 'find');
    if (root.stat.type !== 'directory') throw pathError('ENOTDIR', 'find', directory);
    const out: string[] = [];
    for (const e of walkTree(layer, root, 'find')) out.push(e.rel);
    return out.sort(compareNames);
  },

  glob_expand(layer: FsLayer, pattern: string, opts: { directoryslash?: boolean } = {}): string[] {
    checkPathname(pattern, 'glob_expand');
    layer.paths.needRoot('glob_expand');
    const mark = opts.directoryslash !== false;
    return expandBraces(pattern).flatMap((p) => globOne(layer, p, mark));
  },

  case_sensitive_path(layer: FsLayer, path: string): string {
    return caseSensitivePath(layer, path);
  },

  /** `ls -la directory` (numeric owners); for people, not programs. */
  ll(layer: FsLayer, directory: string): string {
    // Like `ls -la ARG`: a file or a symlink argument (without a trailing slash) is shown
    // itself, on one line with no "total".
    const dir = layer.paths.resolve(directory, false, 'll');
    if (dir.stat.type !== 'directory')
      return formatLsLong([lsEntry(layer, directory, dir)], Date.now(), false);
    const parent = layer.paths.resolve(joinPath(dir.path, '..'), true, 'll');
    const entries = [lsEntry(layer, '.', dir), lsEntry(layer, '..', parent)];
    for (const e of sortedEntries(layer, dir, 'll'))
      entries.push(lsEntry(layer, e.name, layer.paths.lookup(joinPath(dir.path, e.name), 'll')));
    entries.sort((a, b) => compareNames(a.name, b.name));
    return formatLsLong(entries, Date.now());
  },

  grep(layer: FsLayer, regex: string, path: string, opts: GrepOptions = {}): string[] {
    return grepImpl(layer, 'grep', regex, path, opts);
  },
  egrep: grepVariant('egrep', { extended: true }),
  fgrep: grepVariant('fgrep', { fixed: true }),
  grepi: grepVariant('grepi', { insensitive: true }),
  egrepi: grepVariant('egrepi', { extended: true, insensitive: true }),
  fgrepi: grepVariant('fgrepi', { fixed: true, insensitive: true }),
  zgrep: grepVariant('zgrep', { compressed: true }),
  zegrep: grepVariant('zegrep', { compressed: true, extended: true }),
  zfgrep: grepVariant('zfgrep', { compressed: true, fixed: true }),
  zgrepi: grepVariant('zgrepi', { compressed: true, insensitive: true }),
  zegrepi: grepVariant('zegrepi', { compressed: true, extended: true, insensitive: true }),
  zfgrepi: grepVariant('zfgrepi', { compressed: true, fixed: true, insensitive: true }),

  checksum(layer: FsLayer, csumtype: string, path: string): string {
    const hasher = createHasher(csumtype, layer.env.createHash?.bind(layer.env));
    const loc = layer.paths.resolve(path, true, 'checksum');
    streamFile(layer, loc, 'checksum', path, (c) => hasher.update(c));
    return hasher.result();
  },
};
