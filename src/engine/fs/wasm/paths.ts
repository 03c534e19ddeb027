// Path resolution shared by the WebAssembly-backed filesystems (ext4, NTFS): a path is
// looked up one component at a time with the module's fs_lookup (no symlink following:
// the Guestfs layer resolves links itself), and resolved directories are remembered per
// mount so a walk of a large tree resolves each parent once.

import { EngineError, errno } from '../../errors.js';

/** Remembered directories per mount: 4096 entries cost well under a MiB. */
const DIR_CACHE_MAX = 4096;

export class PathResolver {
  private readonly dirs = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  /**
   * @param root the root directory's inode (ext4 2, NTFS MFT record 5)
   * @param lookup the module's fs_lookup: a name in a directory → its inode
   * @param isDir whether an inode is a directory (intermediate components must be)
   */
  constructor(
    private readonly root: number,
    private readonly lookup: (dir: number, name: Uint8Array, path: string) => number,
    private readonly isDir: (ino: number, path: string) => boolean,
  ) {}

  /** Inode of `path` (not following a final symlink). */
  resolve(path: string): number {
    const parts = splitPath(path);
    let ino = this.root;
    let here = '';
    for (let i = 0; i < parts.length; i++) {
      const next = `${here}/${parts[i]!}`;
      const cached = this.dirs.get(next);
      if (cached !== undefined) {
        ino = cached;
      } else {
        ino = this.lookup(ino, this.encoder.encode(parts[i]!), path);
        if (i < parts.length - 1) this.remember(next, ino, path);
      }
      here = next;
    }
    return ino;
  }

  /** Intermediate components must be directories (a symlink there is ENOTDIR here). */
  private remember(dirPath: string, ino: number, path: string): void {
    if (!this.isDir(ino, path)) throw errno('ENOTDIR', path, 'Not a directory');
    if (this.dirs.size >= DIR_CACHE_MAX) this.dirs.clear();
    this.dirs.set(dirPath, ino);
  }

  clear(): void {
    this.dirs.clear();
  }
}

export function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw errno('EINVAL', path, 'path must be absolute');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw errno('EINVAL', path, '".." is resolved by the caller');
  return parts;
}

export function checkRange(path: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new EngineError('EINVAL', `${path}: bad range ${offset}+${length}`, { path });
  }
}
