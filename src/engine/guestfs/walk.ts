// A depth-first walk of the mounted tree below a directory, not following symlinks and
// crossing into filesystems mounted below it (like find without -xdev). Each directory's
// entries come in strcmp order, every entry before its children: the order virt-ls -lR
// prints. It is a generator so tar_out and the CLI stream trees of any size.
//
// A damaged filesystem can make a directory its own descendant; a directory met again on
// its own ancestry is reported as corrupt instead of walked forever, and depth is capped.
// Reference: libguestfs cat/visit.c (visit order); find(1).

import { corrupt } from '../errors.js';
import type { DirEntry } from '../fs/types.js';
import { compareNames } from './file-actions.js';
import type { FsLayer } from './layer.js';
import type { Location } from './paths.js';

/** PATH_MAX (4096) allows at most 2048 components; deeper means a loop in a damaged fs. */
export const MAX_WALK_DEPTH = 2048;

export interface WalkEntry {
  /** Path relative to the walk's root ("a", "a/b"). */
  rel: string;
  loc: Location;
}

const key = (loc: Location) => `${loc.mount?.mountpoint ?? ''}\0${loc.stat.ino}`;

/** Entries of `dir` sorted by name (strcmp order). */
export function sortedEntries(layer: FsLayer, dir: Location, action: string): DirEntry[] {
  return layer.paths.readdir(dir, action).sort((a, b) => compareNames(a.name, b.name));
}

/** Every entry below `root` (not `root` itself), parents before children. */
export function* walkTree(layer: FsLayer, root: Location, action: string): Generator<WalkEntry> {
  yield* walkDir(layer, root, '', new Set([key(root)]), action);
}

function* walkDir(
  layer: FsLayer,
  dir: Location,
  rel: string,
  ancestors: Set<string>,
  action: string,
): Generator<WalkEntry> {
  if (ancestors.size > MAX_WALK_DEPTH)
    throw corrupt('directory tree', 0, `deeper than ${MAX_WALK_DEPTH} levels at ${dir.path}`);
  for (const e of sortedEntries(layer, dir, action)) {
    const loc = layer.paths.child(dir, e, action);
    const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
    yield { rel: childRel, loc };
    if (loc.stat.type !== 'directory') continue;
    const k = key(loc);
    if (ancestors.has(k))
      throw corrupt('directory tree', 0, `${loc.path} is its own ancestor (inode ${loc.stat.ino})`);
    ancestors.add(k);
    yield* walkDir(layer, loc, childRel, ancestors, action);
    ancestors.delete(k);
  }
}
