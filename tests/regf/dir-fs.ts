// Test doubles over a host directory: a read-only FileSystem (what a mounted NTFS/ext4
// driver would give the detectors) and a GuestView (what the application listers read
// through). Used by the Windows and application-lister tests; not shipped.

import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { errno } from '../../src/engine/errors.js';
import type { DirEntry, FileSystem, FileType, Stat } from '../../src/engine/fs/types.js';
import type { GuestView } from '../../src/engine/inspect/types.js';

function typeOf(st: nodefs.Stats): FileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'unknown';
}

export class DirFileSystem implements FileSystem {
  readonly type = 'hostdir';
  constructor(
    private readonly root: string,
    readonly caseInsensitive = false,
  ) {}

  private host(p: string): string {
    return path.join(this.root, p);
  }

  private stat(p: string, follow: boolean): nodefs.Stats {
    try {
      return follow ? nodefs.statSync(this.host(p)) : nodefs.lstatSync(this.host(p));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw errno(code === 'ENOTDIR' ? 'ENOTDIR' : 'ENOENT', p, 'no such file or directory');
    }
  }

  lstat(p: string): Stat {
    const st = this.stat(p, false);
    const s = (ms: number) => Math.floor(ms / 1000);
    return {
      ino: st.ino,
      type: typeOf(st),
      mode: st.mode,
      nlink: st.nlink,
      uid: st.uid,
      gid: st.gid,
      size: st.size,
      blocks: st.blocks,
      blksize: st.blksize,
      rdev: st.rdev,
      atimeSec: s(st.atimeMs),
      atimeNsec: 0,
      mtimeSec: s(st.mtimeMs),
      mtimeNsec: 0,
      ctimeSec: s(st.ctimeMs),
      ctimeNsec: 0,
    };
  }

  readdir(p: string): DirEntry[] {
    if (!this.stat(p, false).isDirectory()) throw errno('ENOTDIR', p, 'not a directory');
    return nodefs
      .readdirSync(this.host(p))
      .sort()
      .map((name) => {
        const st = nodefs.lstatSync(path.join(this.host(p), name));
        return { name, ino: st.ino, type: typeOf(st) };
      });
  }

  read(p: string, offset: number, length: number): Uint8Array {
    if (this.stat(p, false).isDirectory()) throw errno('EISDIR', p, 'is a directory');
    const fd = nodefs.openSync(this.host(p), 'r');
    try {
      const buf = new Uint8Array(length);
      const n = nodefs.readSync(fd, buf, 0, length, offset);
      return buf.subarray(0, n);
    } finally {
      nodefs.closeSync(fd);
    }
  }

  readlink(p: string): string {
    return nodefs.readlinkSync(this.host(p));
  }

  statvfs(): never {
    throw new Error('not needed in these tests');
  }

  listxattrs(): [] {
    return [];
  }

  close(): void {}
}

/** A GuestView over a host directory standing for the guest's "/". Symlinks inside it are
 * followed within the directory (absolute targets are taken relative to it). */
export class DirGuestView implements GuestView {
  constructor(private readonly root: string) {}

  private host(p: string): string {
    let cur = this.root;
    for (const part of p.split('/').filter((x) => x)) {
      cur = path.join(cur, part);
      for (
        let i = 0;
        i < 40 && nodefs.existsSync(cur) && nodefs.lstatSync(cur).isSymbolicLink();
        i++
      ) {
        const t = nodefs.readlinkSync(cur);
        cur = t.startsWith('/') ? path.join(this.root, t) : path.join(path.dirname(cur), t);
      }
    }
    return cur;
  }

  exists(p: string): boolean {
    return nodefs.existsSync(this.host(p));
  }
  isDir(p: string): boolean {
    return this.exists(p) && nodefs.statSync(this.host(p)).isDirectory();
  }
  isFile(p: string): boolean {
    return this.exists(p) && nodefs.statSync(this.host(p)).isFile();
  }
  readFile(p: string, maxBytes?: number): Uint8Array {
    if (!this.isFile(p)) throw errno('ENOENT', p, 'no such file');
    const size = nodefs.statSync(this.host(p)).size;
    if (maxBytes !== undefined && size > maxBytes)
      throw errno('EINVAL', p, `larger than ${maxBytes} bytes`);
    return new Uint8Array(nodefs.readFileSync(this.host(p)));
  }
  readdir(p: string): string[] {
    if (!this.isDir(p)) throw errno('ENOTDIR', p, 'not a directory');
    return nodefs.readdirSync(this.host(p)).sort();
  }
}
