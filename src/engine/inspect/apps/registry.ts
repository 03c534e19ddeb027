// The application listers, chosen as libguestfs' inspect_list_applications2 chooses: by
// OS type (windows) or, for Linux and Hurd, by package format; anything else lists
// nothing (an empty list, not an error).
// Reference: libguestfs lib/inspect-apps.c (guestfs_impl_inspect_list_applications2).

import type { ApplicationLister, Application2, GuestView, OsRoot } from '../types.js';
import { type Application, toApplication } from './application.js';
import { apkLister } from './apk.js';
import { debLister } from './deb.js';
import { pacmanLister } from './pacman.js';
import { rpmLister } from './rpm/lister.js';
import { windowsLister } from './windows.js';

export const applicationListers: readonly ApplicationLister[] = [
  rpmLister,
  debLister,
  pacmanLister,
  apkLister,
  windowsLister,
];

/** Load what listers need asynchronously (sql.js for rpmdb.sqlite); call once. */
export async function loadApplicationListers(opts: { sqlWasmUrl?: string } = {}): Promise<void> {
  await rpmLister.load(opts.sqlWasmUrl ? { wasmUrl: opts.sqlWasmUrl } : {});
}

export function listerFor(root: OsRoot): ApplicationLister | undefined {
  if (root.type === 'windows') return windowsLister;
  if (root.type !== 'linux' && root.type !== 'hurd') return undefined;
  return applicationListers.find((l) => l.format === root.package_format && l.format !== 'windows');
}

/** inspect_list_applications2: sorted by name. */
export function listApplications2(guest: GuestView, root: OsRoot): Application2[] {
  return listerFor(root)?.list(guest, root) ?? [];
}

/** The deprecated inspect_list_applications. */
export function listApplications(guest: GuestView, root: OsRoot): Application[] {
  return listApplications2(guest, root).map(toApplication);
}
