// How the file commands (ls, cat, tar-out) get a guest tree to read. After launch the LUKS
// volumes --key unlocks are opened and the VGs inside activated (keys.ts). With `-m DEV[:MP]`
// the filesystems are mounted as given, in order. Without it (until inspection lands):
//   1. an image with a single filesystem has it mounted on /;
//   2. otherwise each filesystem guestkit can read is tried on / in list_filesystems
//      order, and the first one on which every PATH of the command exists is used.
// `-i` (mount the guest as inspection finds it) is not available yet.

import type { Guestfs } from '../../engine/guestfs/handle.js';
import { canMount } from '../../engine/fs/registry.js';
import { EngineError } from '../../engine/errors.js';
import { type CommonArgs, UsageError } from '../args.js';
import { openEncrypted } from './keys.js';

export const MOUNT_RULE = `Without -m, an image holding one filesystem has it mounted on /; with several, the
first one (in list_filesystems order) on which every PATH exists is mounted on /.`;

/** Filesystems (device → type) that are filesystems at all, not swap or unknown. */
function candidates(g: Guestfs): [string, string][] {
  return Object.entries(g.list_filesystems()).filter(([, t]) => t !== 'unknown' && t !== 'swap');
}

function hasAll(g: Guestfs, paths: string[]): boolean {
  return paths.every((p) => g.exists(p));
}

/** Launches `g`, loads the drivers needed and mounts according to the rule above. */
export async function launchAndMount(
  g: Guestfs,
  args: CommonArgs,
  paths: string[],
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  if (args.inspect)
    throw new UsageError('-i (mount as inspection finds the guest) is not available yet: use -m');
  g.launch();
  await openEncrypted(g, args, warn);
  await g.prepareFilesystems();
  if (args.mounts.length > 0) {
    for (const m of args.mounts) {
      if (m.fstype) g.mount_vfs(m.options ?? '', m.fstype, m.device, m.mountpoint);
      else g.mount_options(m.options ?? '', m.device, m.mountpoint);
    }
    return;
  }
  const fss = candidates(g);
  if (fss.length === 1) {
    g.mount_ro(fss[0]![0], '/');
    return;
  }
  for (const [dev, type] of fss) {
    if (!canMount(type)) continue;
    g.mount_ro(dev, '/');
    if (hasAll(g, paths)) return;
    g.umount_all();
  }
  const list = fss.map(([d, t]) => `${d} (${t})`).join(', ') || 'none';
  throw new EngineError(
    'EINVAL',
    `cannot tell which filesystem holds ${paths.join(' ')}: name it with -m DEV[:MOUNTPOINT] (filesystems: ${list})`,
  );
}
