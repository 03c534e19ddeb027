// Case-insensitive path resolution on a mounted filesystem, like libguestfs'
// case_sensitive_path: each component is matched exactly if it exists, otherwise
// case-insensitively against the directory's entries, and the on-disk spelling is
// returned ("/windows/system32" → "/Windows/System32"). Windows paths are looked up this
// way because NTFS and FAT preserve case but Windows ignores it.
// Reference: libguestfs daemon/realpath.ml (case_sensitive_path), inspect_utils.ml
// (is_file_nocase, is_dir_nocase).

import { EngineError, isEngineError, unsupported } from '../../errors.js';
import type { FileSystem, FileType } from '../../fs/types.js';

function entryType(fs: FileSystem, path: string): FileType | undefined {
  try {
    return fs.lstat(path).type;
  } catch (e) {
    if (isEngineError(e) && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR')) return undefined;
    throw e;
  }
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * The on-disk spelling of `path`, or undefined when some component does not exist. Each
 * component is looked up in its directory's listing (an exact match first) rather than by
 * lstat, because a case-insensitive driver (NTFS here) would accept any spelling.
 */
export function caseSensitivePath(fs: FileSystem, path: string): string | undefined {
  let cur = '/';
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (entryType(fs, cur) !== 'directory') return undefined;
    const entries = fs.readdir(cur);
    const want = part.toLowerCase();
    const hit =
      entries.find((e) => e.name === part) ?? entries.find((e) => e.name.toLowerCase() === want);
    if (!hit) return undefined;
    cur = join(cur, hit.name);
  }
  return cur;
}

export function isDirNocase(fs: FileSystem, path: string): boolean {
  const p = caseSensitivePath(fs, path);
  return p !== undefined && entryType(fs, p) === 'directory';
}

export function isFileNocase(fs: FileSystem, path: string): boolean {
  const p = caseSensitivePath(fs, path);
  return p !== undefined && entryType(fs, p) === 'file';
}

/** A whole file, refusing one larger than `limit` bytes (named by `limitName`). */
export function readWholeFile(
  fs: FileSystem,
  path: string,
  limit: number,
  limitName: string,
): Uint8Array {
  const size = fs.lstat(path).size;
  if (size > limit)
    throw unsupported(`${path} larger than ${limitName} (${limit} bytes)`, `${size} bytes`);
  const out = new Uint8Array(size);
  for (let done = 0; done < size;) {
    const chunk = fs.read(path, done, Math.min(size - done, 1 << 24));
    if (chunk.length === 0)
      throw new EngineError('io', `${path}: short read at ${done} of ${size}`, { path });
    out.set(chunk, done);
    done += chunk.length;
  }
  return out;
}
