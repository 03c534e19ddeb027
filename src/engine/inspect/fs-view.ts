// One filesystem seen the way libguestfs' inspection sees it while the filesystem is
// mounted alone on the appliance's sysroot: paths are walked component by component,
// symlinks are followed inside this filesystem only (an absolute target restarts at its
// root, ".." of the root is the root, as in a chroot), 40 links at most per walk. The
// detectors ask the daemon's questions through it (Is.is_file, Is.is_dir with or without
// followsymlinks, readlink, realpath, read_small_file); the application listers read a
// mounted guest through the same GuestView methods.
// Reference: libguestfs daemon/is.ml, daemon/realpath.ml, daemon/utils.ml (read_small_file,
// is_small_file), daemon/chroot.ml; path_resolution(7).

import { EngineError, isEngineError } from '../errors.js';
import type { FileSystem, FileType, Stat } from '../fs/types.js';
import type { GuestView } from './types.js';

/** Linux MAXSYMLINKS: links followed in one walk before ELOOP. */
export const MAX_SYMLINKS = 40;
/** libguestfs' is_small_file: "2 * 1048 * 1024" bytes (sic) — larger release files,
 * hostnames and fstabs are ignored as not plausible. */
export const SMALL_FILE_MAX = 2 * 1048 * 1024;
/** Read unit for whole files: amortises the per-call cost of the WASM drivers. */
const READ_CHUNK = 4 * 1024 * 1024;

export interface Resolved {
  /** Canonical path inside the filesystem. */
  path: string;
  stat: Stat;
}

/** The errors a walk turns into "does not exist" (stat(2) failing with these). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

export class FsView implements GuestView {
  constructor(readonly fs: FileSystem) {}

  /**
   * Resolves `path`; `follow` says whether a symlink in the last component is followed.
   * Undefined when the path does not exist (ENOENT, ENOTDIR, ELOOP); damaged structures
   * still throw.
   */
  resolve(path: string, follow: boolean): Resolved | undefined {
    try {
      return this.walk(path, follow);
    } catch (e) {
      if (isEngineError(e) && MISSING.has(e.kind)) return undefined;
      throw e;
    }
  }

  private walk(path: string, follow: boolean): Resolved {
    const pending = split(path);
    const cur: string[] = [];
    let here: Resolved = { path: '/', stat: this.fs.lstat('/') };
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (here.stat.type !== 'directory') throw new EngineError('ENOTDIR', `${path}: not a dir`);
      if (name === '..') {
        cur.pop();
        const p = `/${cur.join('/')}`;
        here = { path: p, stat: this.fs.lstat(p) };
        continue;
      }
      const p = join(here.path, name);
      const stat = this.fs.lstat(p);
      if (stat.type === 'symlink' && (pending.length > 0 || follow)) {
        if (++links > MAX_SYMLINKS) throw new EngineError('ELOOP', `${path}: too many links`);
        const target = this.fs.readlink(p);
        if (target === '') throw new EngineError('ENOENT', `${path}: empty symlink`);
        pending.unshift(...split(target));
        if (target.startsWith('/')) {
          cur.length = 0;
          here = { path: '/', stat: this.fs.lstat('/') };
        }
        continue;
      }
      cur.push(name);
      here = { path: p, stat };
    }
    return here;
  }

  typeOf(path: string, follow: boolean): FileType | undefined {
    return this.resolve(path, follow)?.stat.type;
  }

  exists(path: string): boolean {
    return this.resolve(path, true) !== undefined;
  }

  /** Is.is_file: a regular file; `follow` = ~followsymlinks (GuestView callers follow). */
  isFile(path: string, follow = true): boolean {
    return this.typeOf(path, follow) === 'file';
  }

  isDir(path: string, follow = true): boolean {
    return this.typeOf(path, follow) === 'directory';
  }

  isSymlink(path: string): boolean {
    return this.typeOf(path, false) === 'symlink';
  }

  /** The target of the symlink `path` (its parents resolved), or undefined. */
  readlink(path: string): string | undefined {
    const r = this.resolve(path, false);
    return r?.stat.type === 'symlink' ? this.fs.readlink(r.path) : undefined;
  }

  /** realpath(3) inside this filesystem, or undefined when the path does not resolve. */
  realpath(path: string): string | undefined {
    return this.resolve(path, true)?.path;
  }

  readdir(path: string): string[] {
    const r = this.resolve(path, true);
    if (!r) throw new EngineError('ENOENT', `${path}: No such file or directory`, { path });
    return this.fs.readdir(r.path).map((e) => e.name);
  }

  /** The whole regular file (symlinks followed); refuses one larger than `maxBytes`. */
  readFile(path: string, maxBytes = SMALL_FILE_MAX): Uint8Array {
    const r = this.resolve(path, true);
    if (!r) throw new EngineError('ENOENT', `${path}: No such file or directory`, { path });
    if (r.stat.type !== 'file')
      throw new EngineError('EINVAL', `${path}: not a regular file`, { path });
    if (r.stat.size > maxBytes)
      throw new EngineError('EINVAL', `${path}: ${r.stat.size} bytes, over the ${maxBytes} limit`, {
        path,
      });
    return this.readRange(r.path, 0, r.stat.size);
  }

  /** Up to `length` bytes at `offset` of the file at canonical path `path`. */
  readRange(path: string, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const part = this.fs.read(path, offset + done, Math.min(READ_CHUNK, length - done));
      if (part.length === 0) break;
      out.set(part, done);
      done += part.length;
    }
    return done === length ? out : out.slice(0, done);
  }

  /**
   * read_small_file: the lines of a regular file (symlinks followed) no larger than
   * SMALL_FILE_MAX, split on "\n" exactly as the daemon does (a final newline gives a
   * last empty line); undefined for anything else.
   */
  readSmallLines(path: string): string[] | undefined {
    const r = this.resolve(path, true);
    if (!r || r.stat.type !== 'file' || r.stat.size > SMALL_FILE_MAX) return undefined;
    return decodeUtf8(this.readRange(r.path, 0, r.stat.size)).split('\n');
  }

  /** read_first_line_from_file: the first line, "" when the file is empty or absent. */
  firstLine(path: string): string {
    return this.readSmallLines(path)?.[0] ?? '';
  }
}

/** Bytes as text; invalid UTF-8 becomes U+FFFD rather than failing (guest files are text
 * in some charset we cannot know; OCaml strings carry the bytes unchanged). */
export function decodeUtf8(b: Uint8Array): string {
  return new TextDecoder('utf-8').decode(b);
}
