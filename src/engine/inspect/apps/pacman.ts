// Arch Linux packages: one directory per package under /var/lib/pacman/local, each with a
// "desc" file of "%KEY%" lines followed by value lines. As libguestfs fills
// guestfs_application2: %NAME% → name, %VERSION% → epoch/version/release
// ("[epoch:]pkgver-pkgrel", split at the first '-'; a version without a release is
// skipped), %ARCH% → arch, %URL% → url, %DESC% → description. A desc file that is missing
// or larger than 8 KiB is skipped (libguestfs: "probably corrupted, continue").
// Reference: libguestfs lib/inspect-apps.c (list_applications_pacman); pacman's
// libalpm be_local.c (local database "desc" format).

import type { ApplicationLister, Application2, GuestView } from '../types.js';
import { application, sortApplications, splitEpoch } from './application.js';

export const PACMAN_LOCAL = '/var/lib/pacman/local';
/** libguestfs reads at most 8 KiB of each desc file. */
export const MAX_PACMAN_DESC_SIZE = 8192;

const KEYS: Record<string, string> = {
  '%NAME%': 'name',
  '%VERSION%': 'version',
  '%DESC%': 'desc',
  '%URL%': 'url',
  '%ARCH%': 'arch',
};

/** The first value line of each key we use (libguestfs keeps one line per key). */
export function parsePacmanDesc(text: string): Application2 | undefined {
  const f = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') key = undefined;
    else if (key !== undefined) {
      f.set(key, line);
      key = undefined;
    } else key = KEYS[line];
  }
  const name = f.get('name');
  const version = f.get('version');
  const arch = f.get('arch');
  if (name === undefined || version === undefined || arch === undefined) return undefined;
  const { epoch, rest } = splitEpoch(version);
  const dash = rest.indexOf('-');
  if (dash < 0 || epoch < 0) return undefined;
  const ver = rest.slice(0, dash);
  const rel = rest.slice(dash + 1);
  if (ver === '' || rel === '') return undefined;
  return application({
    app2_name: name,
    app2_epoch: epoch,
    app2_version: ver,
    app2_release: rel,
    app2_arch: arch,
    app2_url: f.get('url') ?? '',
    app2_description: f.get('desc') ?? '',
  });
}

export const pacmanLister = {
  format: 'pacman',
  list(guest: GuestView): Application2[] {
    const out: Application2[] = [];
    for (const entry of guest.readdir(PACMAN_LOCAL)) {
      const desc = `${PACMAN_LOCAL}/${entry}/desc`;
      if (!guest.isDir(`${PACMAN_LOCAL}/${entry}`) || !guest.isFile(desc)) continue;
      let bytes: Uint8Array;
      try {
        bytes = guest.readFile(desc, MAX_PACMAN_DESC_SIZE);
      } catch {
        continue; // too large or unreadable: libguestfs skips the package too
      }
      if (bytes.length > MAX_PACMAN_DESC_SIZE) continue;
      const app = parsePacmanDesc(new TextDecoder('utf-8').decode(bytes));
      if (app) out.push(app);
    }
    return sortApplications(out);
  },
} satisfies ApplicationLister;
