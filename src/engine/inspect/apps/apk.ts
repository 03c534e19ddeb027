// Alpine packages from /lib/apk/db/installed: stanzas of "X:value" lines separated by
// blank lines. As libguestfs fills guestfs_application2: P → name, V → epoch/version/
// release ("[epoch:]version[-rN]", split at the first '-', the 'r' of the revision
// dropped), A → arch, U → url, T → description (apk's one-line description; libguestfs puts
// it in description, not summary). Other fields (L license, o origin, m maintainer, …)
// have no guestfs_application2 slot.
// Reference: libguestfs lib/inspect-apps.c (list_applications_apk); apk-tools
// "installed database" format (apk-spec: P, V, A, T, U, L, o, m, t, c, D, …).

import { EngineError } from '../../errors.js';
import type { ApplicationLister, Application2, GuestView } from '../types.js';
import { application, sortApplications, splitEpoch } from './application.js';

export const APK_INSTALLED = '/lib/apk/db/installed';
/** libguestfs' MAX_APK_INSTALLED_SIZE. */
export const MAX_APK_INSTALLED_SIZE = 50 * 1000 * 1000;

export function splitApkVersion(text: string): { epoch: number; version: string; release: string } {
  const { epoch, rest } = splitEpoch(text);
  const dash = rest.indexOf('-');
  if (dash < 0) return { epoch, version: rest, release: '' };
  const rel = rest.slice(dash + 1);
  return { epoch, version: rest.slice(0, dash), release: rel.startsWith('r') ? rel.slice(1) : rel };
}

export function parseApkInstalled(text: string): Application2[] {
  const out: Application2[] = [];
  let f = new Map<string, string>();
  const flush = () => {
    const name = f.get('P');
    const version = f.get('V');
    if (name !== undefined && version !== undefined) {
      const v = splitApkVersion(version);
      if (v.epoch >= 0) {
        out.push(
          application({
            app2_name: name,
            app2_epoch: v.epoch,
            app2_version: v.version,
            app2_release: v.release,
            app2_arch: f.get('A') ?? '',
            app2_url: f.get('U') ?? '',
            app2_description: f.get('T') ?? '',
          }),
        );
      }
    }
    f = new Map();
  };
  for (const line of text.split('\n')) {
    if (line === '') flush();
    else if (line.length >= 2 && line[1] === ':') f.set(line[0]!, line.slice(2));
  }
  flush();
  return sortApplications(out);
}

export const apkLister = {
  format: 'apk',
  list(guest: GuestView): Application2[] {
    if (!guest.isFile(APK_INSTALLED))
      throw new EngineError('ENOENT', `${APK_INSTALLED}: no such file`, { path: APK_INSTALLED });
    return parseApkInstalled(
      new TextDecoder('utf-8').decode(guest.readFile(APK_INSTALLED, MAX_APK_INSTALLED_SIZE)),
    );
  },
} satisfies ApplicationLister;
