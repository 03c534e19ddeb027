// The mounted guest as inspection's application listers and icon finder read it: through
// the handle's mount table, exactly what the caller mounted (libguestfs'
// inspect_list_applications2 and inspect_get_icon read whatever is mounted; they mount
// nothing themselves). Paths are guest paths; symlinks are followed across mounts.
// Reference: guestfs(3) guestfs_inspect_list_applications2 ("you have to … mount up the
// disks"); libguestfs lib/inspect-apps.c, lib/inspect-icon.c.

import { EngineError, isEngineError } from '../errors.js';
import type { FileType } from '../fs/types.js';
import type { GuestView } from '../inspect/types.js';
import { readWhole } from './file-actions.js';
import type { FsLayer } from './layer.js';
import type { Location } from './paths.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

export class MountedGuestView implements GuestView {
  constructor(private readonly layer: FsLayer) {}

  private locate(path: string, follow: boolean, action: string): Location | undefined {
    try {
      return this.layer.paths.resolve(path, follow, action);
    } catch (e) {
      if (isEngineError(e) && MISSING.has(e.kind)) return undefined;
      throw e;
    }
  }

  typeOf(path: string, follow = true): FileType | undefined {
    return this.locate(path, follow, 'is_file')?.stat.type;
  }

  exists(path: string): boolean {
    return this.typeOf(path) !== undefined;
  }

  isDir(path: string): boolean {
    return this.typeOf(path) === 'directory';
  }

  isFile(path: string, follow = true): boolean {
    return this.typeOf(path, follow) === 'file';
  }

  /** The whole file (symlinks followed), refusing one larger than `maxBytes`. */
  readFile(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    const loc = this.layer.paths.resolve(path, true, 'read_file');
    if (loc.stat.type === 'file' && loc.stat.size > maxBytes)
      throw new EngineError(
        'EINVAL',
        `read_file: ${path}: ${loc.stat.size} bytes, over the ${maxBytes}-byte limit`,
        { path },
      );
    return readWhole(this.layer, loc, 'read_file', path);
  }

  readdir(path: string): string[] {
    const loc = this.layer.paths.resolve(path, true, 'ls');
    return this.layer.paths
      .readdir(loc, 'ls', path)
      .map((e) => e.name)
      .sort();
  }

  /** realpath, or undefined when the path does not resolve. */
  realpath(path: string): string | undefined {
    return this.locate(path, true, 'realpath')?.path;
  }

  /** Up to `length` bytes from the start of the regular file at `path`. */
  readHead(path: string, length: number): Uint8Array {
    const loc = this.layer.paths.resolve(path, true, 'pread');
    if (loc.stat.type !== 'file') return new Uint8Array(0);
    return this.layer.paths.read(loc, 0, Math.min(length, loc.stat.size), 'pread', path);
  }

  /** Size of the regular file at `path` (symlinks followed), or undefined. */
  fileSize(path: string): number | undefined {
    const loc = this.locate(path, true, 'filesize');
    return loc?.stat.type === 'file' ? loc.stat.size : undefined;
  }
}
