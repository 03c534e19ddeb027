// `guestkit cat` (virt-cat) and `guestkit tar-out` (virt-tar-out): file bytes to stdout,
// a directory as a tar to a host file or stdout. Both stream through the handle's
// download and tar_out actions, so memory stays bounded for files of any size.
// Reference: virt-cat(1), virt-tar-out(1).

import type { Guestfs } from '../../engine/guestfs/handle.js';
import type { CommonArgs } from '../args.js';

/** Each file's bytes to stdout, in order (symlinks followed, as virt-cat does). */
export function catFiles(g: Guestfs, paths: string[]): void {
  for (const p of paths) g.download(p, '-');
}

export function tarOut(g: Guestfs, args: CommonArgs, dir: string, target: string): void {
  g.tar_out(dir, target, {
    compress: args.flags.has('--gzip') || args.flags.has('-z') ? 'gzip' : undefined,
    xattrs: args.flags.has('--xattrs'),
  });
}
