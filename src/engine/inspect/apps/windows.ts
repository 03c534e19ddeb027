// Windows applications from the SOFTWARE hive: every subkey of
// Microsoft\Windows\CurrentVersion\Uninstall (native) and then of
// WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall (32-bit programs on 64-bit
// Windows) that has a DisplayName. As libguestfs fills guestfs_application2: the key name
// → name (language-independent, unlike DisplayName), DisplayName → display_name,
// DisplayVersion → version, InstallLocation → install_path, Publisher → publisher,
// URLInfoAbout → url, Comments → description; epoch 0, no release or arch.
// Reference: libguestfs lib/inspect-apps.c (list_applications_windows,
// list_applications_windows_from_path); KB896459 (WOW6432Node).

import { EngineError } from '../../errors.js';
import { Hive, MAX_HIVE_BYTES, type KeyNode } from '../../regf/hive.js';
import { stringValue } from '../windows/registry-values.js';
import type { ApplicationLister, Application2, GuestView, OsRoot } from '../types.js';
import { application, sortApplications } from './application.js';

const UNINSTALL_PATHS = [
  ['Microsoft', 'Windows', 'CurrentVersion', 'Uninstall'],
  ['WOW6432node', 'Microsoft', 'Windows', 'CurrentVersion', 'Uninstall'],
];

function fromKey(hive: Hive, key: KeyNode): Application2 | undefined {
  const display = stringValue(hive, key, 'DisplayName');
  if (display === undefined) return undefined;
  const get = (name: string) => stringValue(hive, key, name) ?? '';
  return application({
    app2_name: key.name,
    app2_display_name: display,
    app2_version: get('DisplayVersion'),
    app2_install_path: get('InstallLocation'),
    app2_publisher: get('Publisher'),
    app2_url: get('URLInfoAbout'),
    app2_description: get('Comments'),
  });
}

export function listWindowsApplications(software: Hive): Application2[] {
  const out: Application2[] = [];
  for (const path of UNINSTALL_PATHS) {
    const node = software.lookup(path);
    if (!node) continue;
    for (const child of software.children(node)) {
      const app = fromKey(software, child);
      if (app) out.push(app);
    }
  }
  return sortApplications(out);
}

export const windowsLister = {
  format: 'windows',
  list(guest: GuestView, root: OsRoot): Application2[] {
    const hivePath = root.windows_software_hive;
    if (!hivePath)
      throw new EngineError('EINVAL', `${root.root}: no SOFTWARE hive was found by inspection`);
    return listWindowsApplications(Hive.open(guest.readFile(hivePath, MAX_HIVE_BYTES), hivePath));
  },
} satisfies ApplicationLister;
