// Debian packages from /var/lib/dpkg/status (RFC 822-style stanzas). Per stanza, as
// libguestfs fills guestfs_application2: Package → name; Version → epoch, version and
// release ("[epoch:]upstream[-revision]"); Architecture → arch; Homepage → url; Source →
// source_package (its name only: "Source: foo (1.2)" names foo); the first line of
// Description → summary and its continuation lines (leading space removed, " ." kept as
// ".") joined by newlines → description. Two deliberate differences: the package must be
// in state "installed" (libguestfs' substring test also takes "not-installed" and
// "half-installed"), and the revision is split at the last '-' as Debian policy defines
// it (libguestfs splits at the first).
// Reference: libguestfs lib/inspect-apps.c (list_applications_deb); Debian Policy §5.6.12
// "Version", dpkg-query(1) db:Status-Status.

import { EngineError } from '../../errors.js';
import type { ApplicationLister, Application2, GuestView } from '../types.js';
import { application, sortApplications, splitEpoch } from './application.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
/** libguestfs' MAX_DPKG_STATUS_SIZE: a real status file of a big install is ~10 MB. */
export const MAX_DPKG_STATUS_SIZE = 50 * 1000 * 1000;

interface Stanza {
  fields: Map<string, string>;
  /** Continuation lines of Description. */
  description: string[];
}

function* stanzas(text: string): Generator<Stanza> {
  let cur: Stanza = { fields: new Map(), description: [] };
  let inDescription = false;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (cur.fields.size) yield cur;
      cur = { fields: new Map(), description: [] };
      inDescription = false;
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      if (inDescription) cur.description.push(line.slice(1));
    } else {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon);
      // Trailing spaces are kept, as dpkg and libguestfs keep them.
      cur.fields.set(name, line.slice(colon + 1).trimStart());
      inDescription = name === 'Description';
    }
  }
  if (cur.fields.size) yield cur;
}

function isInstalled(status: string | undefined): boolean {
  return status !== undefined && status.split(/\s+/)[2] === 'installed';
}

export function splitDebianVersion(text: string): {
  epoch: number;
  version: string;
  release: string;
} {
  const { epoch, rest } = splitEpoch(text);
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return { epoch, version: rest, release: '' };
  return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

export function parseDpkgStatus(text: string): Application2[] {
  const out: Application2[] = [];
  for (const s of stanzas(text)) {
    const f = s.fields;
    const name = f.get('Package');
    const version = f.get('Version');
    if (!name || version === undefined || !isInstalled(f.get('Status'))) continue;
    const v = splitDebianVersion(version);
    if (v.epoch < 0) continue;
    out.push(
      application({
        app2_name: name,
        app2_epoch: v.epoch,
        app2_version: v.version,
        app2_release: v.release,
        app2_arch: f.get('Architecture') ?? '',
        app2_url: f.get('Homepage') ?? '',
        app2_source_package: (f.get('Source') ?? '').split(' ')[0]!,
        app2_summary: f.get('Description') ?? '',
        app2_description: s.description.join('\n'),
      }),
    );
  }
  return sortApplications(out);
}

export const debLister = {
  format: 'deb',
  list(guest: GuestView): Application2[] {
    if (!guest.isFile(DPKG_STATUS))
      throw new EngineError('ENOENT', `${DPKG_STATUS}: no such file`, { path: DPKG_STATUS });
    const bytes = guest.readFile(DPKG_STATUS, MAX_DPKG_STATUS_SIZE);
    return parseDpkgStatus(new TextDecoder('utf-8').decode(bytes));
  },
} satisfies ApplicationLister;
