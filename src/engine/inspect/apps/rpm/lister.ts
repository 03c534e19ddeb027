// The rpm application lister: finds the guest's package database — rpmdb.sqlite (rpm ≥
// 4.16), Packages.db (NDB) or Packages (Berkeley DB) in /var/lib/rpm or
// /usr/lib/sysimage/rpm — decodes every header blob itself and fills
// guestfs_application2 as libguestfs' librpm lister does, sorted by name.
// Reference: libguestfs daemon/rpm.ml, daemon/rpm-c.c; rpm lib/backend/{sqlite.c,
// ndb/rpmpkg.c, bdb_ro.c}.

import { EngineError, isEngineError } from '../../../errors.js';
import type { ApplicationLister, Application2, GuestView } from '../../types.js';
import { sortApplications } from '../application.js';
import { rpmApplication } from './application.js';
import { readBdbPackages } from './bdb.js';
import { RpmHeader } from './header.js';
import { readNdbPackages } from './ndb.js';
import { loadRpmSqlite, readSqlitePackages, type PackageBlob } from './sqlite.js';

/** rpm's database directories: the classic one, then Fedora ≥ 36 / openSUSE's sysimage. */
export const RPM_DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
/** Largest database file we read: big installs have rpmdb.sqlite files of ~200 MiB. */
export const MAX_RPMDB_BYTES = 1024 * 1024 * 1024;

export type RpmDbKind = 'sqlite' | 'ndb' | 'bdb';
const FILES: [RpmDbKind, string][] = [
  ['sqlite', 'rpmdb.sqlite'],
  ['ndb', 'Packages.db'],
  ['bdb', 'Packages'],
];

/** The database a guest has, newest format first. */
export function findRpmDb(guest: GuestView): { kind: RpmDbKind; path: string } | undefined {
  for (const dir of RPM_DB_DIRS) {
    for (const [kind, file] of FILES) {
      if (guest.isFile(`${dir}/${file}`)) return { kind, path: `${dir}/${file}` };
    }
  }
  return undefined;
}

export function readRpmDb(guest: GuestView, db: { kind: RpmDbKind; path: string }): PackageBlob[] {
  const bytes = guest.readFile(db.path, MAX_RPMDB_BYTES);
  if (db.kind === 'ndb') return readNdbPackages(bytes);
  if (db.kind === 'bdb') return readBdbPackages(bytes);
  const walPath = `${db.path}-wal`;
  return readSqlitePackages(
    bytes,
    guest.isFile(walPath) ? guest.readFile(walPath, MAX_RPMDB_BYTES) : undefined,
  );
}

export function rpmApplications(blobs: PackageBlob[], where: string): Application2[] {
  return sortApplications(
    blobs.map(({ hnum, blob }) => {
      try {
        return rpmApplication(new RpmHeader(blob, 'rpm header'));
      } catch (e) {
        if (isEngineError(e) && e.kind === 'corrupt') {
          throw new EngineError('corrupt', `${where}: header ${hnum}: ${e.message}`, {
            structure: e.structure,
            offset: e.offset,
            path: where,
          });
        }
        throw e;
      }
    }),
  );
}

export const rpmLister = {
  format: 'rpm',
  /** sql.js (for rpmdb.sqlite) loads asynchronously; call once before listing. */
  load: (opts?: { wasmUrl?: string }) => loadRpmSqlite(opts),
  list(guest: GuestView): Application2[] {
    const db = findRpmDb(guest);
    if (!db) throw new EngineError('ENOENT', `no rpm database in ${RPM_DB_DIRS.join(' or ')}`);
    return rpmApplications(readRpmDb(guest, db), db.path);
  },
} satisfies ApplicationLister & { load(opts?: { wasmUrl?: string }): Promise<void> };
