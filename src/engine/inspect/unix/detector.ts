// The Unix half of libguestfs' first inspection pass: which kind of filesystem this is,
// decided by marker files in libguestfs' order — a Grub /boot, a FreeBSD, NetBSD, OpenBSD,
// GNU/Hurd or Minix root, a Linux root, a CoreOS root, a Linux /usr/local, a Linux /usr, a
// CoreOS /usr, a Linux /var — then the facts of that kind (roots.ts). Anything else is left
// to the detectors after this one (Windows, DOS). The tests do not follow symlinks unless
// libguestfs' do (a merged-/usr root has /bin → usr/bin).
// Reference: libguestfs daemon/inspect_fs.ml (check_filesystem, is_symlink_to).

import type { FsView } from '../fs-view.js';
import { FsView as View } from '../fs-view.js';
import type { FsClassification, InspectFs, OsDetector, OsRoot } from '../types.js';
import type { DeviceDirectory } from './fstab.js';
import {
  type UnixContext,
  type UnixFacts,
  checkCoreosRoot,
  checkCoreosUsr,
  checkFreebsdRoot,
  checkHurdRoot,
  checkLinuxRoot,
  checkLinuxUsr,
  checkMinixRoot,
  checkNetbsdRoot,
  checkOpenbsdRoot,
} from './roots.js';

type Role = FsClassification['role'];
interface Rule {
  /** The name libguestfs' debug output gives the match. */
  name: string;
  role: Role;
  matches(v: FsView): boolean;
  facts?(ctx: UnixContext): UnixFacts;
}

const dir = (v: FsView, p: string) => v.isDir(p, false);
const file = (v: FsView, p: string) => v.isFile(p, false);
const etcBin = (v: FsView) => dir(v, '/etc') && dir(v, '/bin');

/** check_filesystem's Unix branches, in order; the first match decides. */
const RULES: readonly Rule[] = [
  {
    name: 'Grub /boot',
    role: 'other',
    matches: (v) =>
      file(v, '/grub/menu.lst') || file(v, '/grub/grub.conf') || file(v, '/grub2/grub.cfg'),
  },
  {
    name: 'FreeBSD root',
    role: 'root',
    matches: (v) => etcBin(v) && file(v, '/etc/freebsd-update.conf') && file(v, '/etc/fstab'),
    facts: checkFreebsdRoot,
  },
  {
    name: 'NetBSD root',
    role: 'root',
    matches: (v) =>
      etcBin(v) && file(v, '/netbsd') && file(v, '/etc/fstab') && file(v, '/etc/release'),
    facts: checkNetbsdRoot,
  },
  {
    name: 'OpenBSD root',
    role: 'root',
    matches: (v) => etcBin(v) && file(v, '/bsd') && file(v, '/etc/fstab') && file(v, '/etc/motd'),
    facts: checkOpenbsdRoot,
  },
  {
    name: 'Hurd root',
    role: 'root',
    matches: (v) => file(v, '/hurd/console') && file(v, '/hurd/hello') && file(v, '/hurd/null'),
    facts: checkHurdRoot,
  },
  {
    name: 'Minix root',
    role: 'root',
    matches: (v) =>
      etcBin(v) && file(v, '/service/vm') && file(v, '/etc/fstab') && file(v, '/etc/version'),
    facts: checkMinixRoot,
  },
  {
    name: 'Linux root',
    role: 'root',
    matches: (v) =>
      dir(v, '/etc') &&
      (dir(v, '/bin') || v.readlink('/bin') === 'usr/bin') &&
      (file(v, '/etc/fstab') || file(v, '/etc/hosts')),
    facts: checkLinuxRoot,
  },
  {
    name: 'CoreOS root',
    role: 'root',
    matches: (v) =>
      ['/etc', '/root', '/home', '/usr'].every((p) => dir(v, p)) &&
      file(v, '/etc/coreos/update.conf'),
    facts: checkCoreosRoot,
  },
  {
    name: 'Linux /usr/local',
    role: 'other',
    matches: (v) => etcBin(v) && dir(v, '/share') && !dir(v, '/local') && !file(v, '/etc/fstab'),
  },
  {
    name: 'Linux /usr',
    role: 'usr',
    matches: (v) => etcBin(v) && dir(v, '/share') && dir(v, '/local') && !file(v, '/etc/fstab'),
    facts: checkLinuxUsr,
  },
  {
    name: 'CoreOS /usr',
    role: 'usr',
    matches: (v) => ['/bin', '/share', '/local', '/share/coreos'].every((p) => dir(v, p)),
    facts: checkCoreosUsr,
  },
  {
    name: 'Linux /var',
    role: 'other',
    matches: (v) => dir(v, '/log') && dir(v, '/run') && dir(v, '/spool'),
  },
];

/** fstab pairs → OsRoot's mountpoints (absolute ones only) and filesystems (all). */
export function factsToOs(facts: UnixFacts): Partial<OsRoot> {
  const { fstab, ...os } = facts;
  const out: Partial<OsRoot> = { ...os };
  for (const k of Object.keys(out) as (keyof OsRoot)[]) if (out[k] === undefined) delete out[k];
  if (fstab) {
    out.mountpoints = fstab.filter(([, mp]) => mp.startsWith('/')).map(([m, mp]) => [mp, m]);
    out.filesystems = fstab.map(([m]) => m);
  }
  return out;
}

export class UnixDetector implements OsDetector {
  readonly name = 'unix';
  /** Which rule matched each device last (libguestfs' "check_filesystem: X matched Y"). */
  lastMatch: string | undefined;

  constructor(private readonly devices: DeviceDirectory) {}

  detect(target: InspectFs): FsClassification | undefined {
    const view = new View(target.fs);
    const rule = RULES.find((r) => r.matches(view));
    this.lastMatch = rule?.name;
    if (!rule) return undefined;
    if (!rule.facts) return { role: rule.role };
    const facts = rule.facts({ view, device: target.device, devices: this.devices });
    return { role: rule.role, os: factsToOs(facts) };
  }
}
