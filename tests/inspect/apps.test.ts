// Application listers against independent truth: dpkg-query for deb, rpm -qa (and rpm's own
// read-only Berkeley DB backend, and @snyk/rpm-parser for NDB) for rpm, the fixture
// script's inputs for apk, pacman and Windows — each mapped to guestfs_application2 by
// libguestfs' rules (lib/inspect-apps.c, daemon/rpm-c.c).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPackagesNdb, getPackagesSqlite } from '@snyk/rpm-parser';
import { EngineError } from '../../src/engine/errors.js';
import { toApplication } from '../../src/engine/inspect/apps/application.js';
import { apkLister } from '../../src/engine/inspect/apps/apk.js';
import { debLister } from '../../src/engine/inspect/apps/deb.js';
import { pacmanLister } from '../../src/engine/inspect/apps/pacman.js';
import {
  listApplications,
  listApplications2,
  loadApplicationListers,
} from '../../src/engine/inspect/apps/registry.js';
import { readBdbPackages } from '../../src/engine/inspect/apps/rpm/bdb.js';
import { rpmLister } from '../../src/engine/inspect/apps/rpm/lister.js';
import { readNdbPackages } from '../../src/engine/inspect/apps/rpm/ndb.js';
import { listWindowsApplications } from '../../src/engine/inspect/apps/windows.js';
import type { Application2, OsRoot } from '../../src/engine/inspect/types.js';
import { Hive } from '../../src/engine/regf/hive.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { DirGuestView } from '../regf/dir-fs.js';

const rpmDir = ensureFixture('rpm');
const appsDir = ensureFixture('apps');
const winDir = ensureFixture('windows');

/** Records of "a|@|b|@|…@@@" files written by rpm --qf / dpkg-query -f. */
function records(file: string): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .split('@@@\n')
    .filter((r) => r.length)
    .map((r) => r.split('|@|'));
}

const sortByName = (apps: Partial<Application2>[]) =>
  [...apps].sort((a, b) =>
    a.app2_name! < b.app2_name! ? -1 : a.app2_name! > b.app2_name! ? 1 : 0,
  );

/** rpm -qa lines → what libguestfs' librpm lister reports: headerFormat strings
 * ("(none)" when absent), headerGetNumber epoch (0 when absent), no vendor/source. */
function rpmExpected(file: string): Partial<Application2>[] {
  return sortByName(
    records(file).map(([name, epoch, version, release, arch, url, summary, , , description]) => ({
      app2_name: name,
      app2_epoch: epoch === '(none)' ? 0 : Number(epoch),
      app2_version: version,
      app2_release: release,
      app2_arch: arch,
      app2_url: url,
      app2_summary: summary,
      app2_description: description,
      app2_publisher: '',
      app2_source_package: '',
      app2_display_name: '',
    })),
  );
}

const guest = (root: string) => new DirGuestView(root);
const pick = (apps: Application2[], keys: (keyof Application2)[]) =>
  apps.map((a) => Object.fromEntries(keys.map((k) => [k, a[k]])));

describe('rpm lister: rpmdb.sqlite, WAL, Berkeley DB, NDB', () => {
  beforeAll(() => loadApplicationListers());
  const expected = rpmExpected(path.join(rpmDir, 'expected', 'rpm-qa.txt'));
  const keys = Object.keys(expected[0]!) as (keyof Application2)[];

  for (const kind of ['sqlite', 'wal', 'bdb', 'ndb']) {
    it(`${kind}: every package as rpm -qa reports it`, () => {
      const apps = rpmLister.list(guest(path.join(rpmDir, 'roots', kind)));
      expect(pick(apps, keys)).toEqual(expected);
      expect(apps.every((a) => a.app2_trans_path === '' && a.app2_spare1 === '')).toBe(true);
    });
  }

  it("rpm's own bdb_ro backend reads the Berkeley DB file as rpm -qa on sqlite does", () => {
    expect(rpmExpected(path.join(rpmDir, 'expected', 'rpm-qa-bdb.txt'))).toEqual(expected);
  });

  it('@snyk/rpm-parser reads the NDB and sqlite files with the same packages', async () => {
    const ndb = await getPackagesNdb(
      fs.readFileSync(path.join(rpmDir, 'roots/ndb/var/lib/rpm/Packages.db')),
    );
    const sql = await getPackagesSqlite(
      fs.readFileSync(path.join(rpmDir, 'roots/sqlite/var/lib/rpm/rpmdb.sqlite')),
    );
    const names = (r: { response: { name: string }[] }) => r.response.map((p) => p.name).sort();
    expect(ndb.error).toBeUndefined();
    expect(names(ndb)).toEqual(expected.map((a) => a.app2_name));
    expect(names(ndb)).toEqual(names(sql));
  });

  it('the WAL holds a package the main database file lacks', () => {
    const g = guest(path.join(rpmDir, 'roots', 'wal'));
    const withWal = rpmLister.list(g).map((a) => a.app2_name);
    const bytes = g.readFile('/var/lib/rpm/rpmdb.sqlite');
    const noWal = rpmLister.list({
      ...g,
      isFile: (p: string) => !p.endsWith('-wal') && g.isFile(p),
      readFile: () => bytes,
    } as never);
    expect(withWal.length).toBe(noWal.length + 1);
  });

  it('damaged BDB and NDB files fail as corrupt', () => {
    const ndb = new Uint8Array(
      fs.readFileSync(path.join(rpmDir, 'roots/ndb/var/lib/rpm/Packages.db')),
    );
    const slot = ndb.slice();
    slot[32 + 8] = 0xff; // first slot's block offset past the end
    expect(() => readNdbPackages(slot)).toThrow(EngineError);
    const blob = ndb.slice();
    blob[4096 + 40] = blob[4096 + 40]! ^ 1; // a byte inside the first blob: Adler-32 fails
    expect(kind(() => readNdbPackages(blob))).toEqual(['corrupt', 'rpm ndb blob']);
    const bdb = new Uint8Array(
      fs.readFileSync(path.join(rpmDir, 'roots/bdb/var/lib/rpm/Packages')),
    );
    const meta = bdb.slice();
    meta[12] = 0;
    expect(kind(() => readBdbPackages(meta))).toEqual([
      'corrupt',
      'Berkeley DB hash metadata page',
    ]);
  });
});

function kind(f: () => unknown): [string, string | undefined] {
  try {
    f();
  } catch (e) {
    return [(e as EngineError).kind, (e as EngineError).structure];
  }
  return ['none', undefined];
}

describe('deb lister vs dpkg-query', () => {
  it('lists installed packages with libguestfs fields', () => {
    const want = sortByName(
      records(path.join(appsDir, 'expected', 'dpkg-query.txt'))
        .filter(([status]) => status === 'installed')
        .map(([, name, version, arch, homepage, source, description]) => {
          const m = /^(?:(\d+):)?(.*?)(?:-([^-]*))?$/.exec(version!)!;
          const [summary, ...rest] = description!.split('\n');
          return {
            app2_name: name,
            app2_epoch: m[1] ? Number(m[1]) : 0,
            app2_version: m[2],
            app2_release: m[3] ?? '',
            app2_arch: arch,
            app2_url: homepage,
            app2_source_package: source!.split(' ')[0],
            app2_summary: summary,
            app2_description: rest.map((l) => l.slice(1)).join('\n'),
          };
        }),
    );
    const apps = debLister.list(guest(path.join(appsDir, 'roots', 'deb')));
    expect(pick(apps, Object.keys(want[0]!) as (keyof Application2)[])).toEqual(want);
    const epoch = apps.find((a) => a.app2_name === 'gk-epoch')!;
    expect([epoch.app2_epoch, epoch.app2_version, epoch.app2_release]).toEqual([3, '2.0', '1']);
    expect(epoch.app2_description).toBe('First paragraph line.\n.\nSecond paragraph.');
    expect(apps.find((a) => a.app2_name === 'gk-source')).toMatchObject({
      app2_version: '1.0-2',
      app2_release: '3',
      app2_source_package: 'gk-src',
    });
    expect(apps.some((a) => a.app2_name === 'gk-removed')).toBe(false);
  });
});

describe('apk and pacman listers vs the script inputs', () => {
  const input = JSON.parse(
    fs.readFileSync(path.join(appsDir, 'expected', 'input.json'), 'utf8'),
  ) as {
    apk: Record<string, string>[];
    pacman: Record<string, string>[];
  };
  const split = (v: string, rDrop: boolean) => {
    const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(v)!;
    const rel = m[3] ?? '';
    return {
      app2_epoch: m[1] ? Number(m[1]) : 0,
      app2_version: m[2],
      app2_release: rDrop && rel.startsWith('r') ? rel.slice(1) : rel,
    };
  };

  it('apk: P V A T U', () => {
    const want = sortByName(
      input.apk.map((p) => ({
        app2_name: p.P,
        ...split(p.V!, true),
        app2_arch: p.A,
        app2_url: p.U ?? '',
        app2_description: p.T,
        app2_summary: '',
      })),
    );
    const apps = apkLister.list(guest(path.join(appsDir, 'roots', 'apk')));
    expect(pick(apps, Object.keys(want[0]!) as (keyof Application2)[])).toEqual(want);
  });

  it('pacman: %NAME% %VERSION% %ARCH% %URL% %DESC%; no release or > 8 KiB desc → skipped', () => {
    const want = sortByName(
      input.pacman
        .filter((p) => p.VERSION!.includes('-'))
        .map((p) => ({
          app2_name: p.NAME,
          ...split(p.VERSION!, false),
          app2_arch: p.ARCH,
          app2_url: p.URL ?? '',
          app2_description: p.DESC,
        })),
    );
    const apps = pacmanLister.list(guest(path.join(appsDir, 'roots', 'pacman')));
    expect(pick(apps, Object.keys(want[0]!) as (keyof Application2)[])).toEqual(want);
  });
});

describe('Windows lister vs the SOFTWARE hive inputs', () => {
  const facts = JSON.parse(
    fs.readFileSync(path.join(winDir, 'expected', 'windows.json'), 'utf8'),
  ) as {
    apps: [string, string, [string, string | number][]][];
  };
  it('Uninstall and WOW6432Node\\…\\Uninstall keys with a DisplayName, sorted by key name', () => {
    const want = sortByName(
      facts.apps
        .map(([, key, values]) => ({
          key,
          v: Object.fromEntries(values) as Record<string, string>,
        }))
        .filter(({ v }) => typeof v.DisplayName === 'string')
        .map(({ key, v }) => ({
          app2_name: key,
          app2_display_name: v.DisplayName,
          app2_version: v.DisplayVersion ?? '',
          app2_install_path: v.InstallLocation ?? '',
          app2_publisher: v.Publisher ?? '',
          app2_url: v.URLInfoAbout ?? '',
          app2_description: v.Comments ?? '',
          app2_epoch: 0,
          app2_release: '',
          app2_arch: '',
          app2_summary: '',
        })),
    );
    const hive = Hive.open(
      new Uint8Array(fs.readFileSync(path.join(winDir, 'hives', 'SOFTWARE-win10'))),
    );
    const apps = listWindowsApplications(hive);
    expect(pick(apps, Object.keys(want[0]!) as (keyof Application2)[])).toEqual(want);
    // The order virt-inspector 1.48 printed for this disk (strcmp: '{' sorts after letters).
    expect(apps.map((a) => a.app2_name)).toEqual([
      'Git_is1',
      'Notepad++',
      'Zoom',
      '{23170F69-40C1-2702-2301-000001000000}',
    ]);
  });
});

describe('inspect_list_applications2 / inspect_list_applications', () => {
  const root = (over: Partial<OsRoot>) =>
    ({ root: '/dev/sda1', type: 'linux', package_format: 'unknown', ...over }) as OsRoot;
  it('chooses the lister by type and package format, else lists nothing', () => {
    const deb = guest(path.join(appsDir, 'roots', 'deb'));
    expect(listApplications2(deb, root({ package_format: 'deb' })).length).toBeGreaterThan(4);
    expect(listApplications2(deb, root({ package_format: 'ebuild' }))).toEqual([]);
    expect(listApplications2(deb, root({ type: 'freebsd', package_format: 'deb' }))).toEqual([]);
    const win = guest(path.join(winDir, 'trees', 'win10'));
    const w = root({ type: 'windows', windows_software_hive: '/Windows/System32/config/SOFTWARE' });
    expect(listApplications2(win, w).map((a) => a.app2_name)).toContain('Git_is1');
  });

  it('the deprecated struct drops arch and the spares', () => {
    const a = listApplications(
      guest(path.join(appsDir, 'roots', 'deb')),
      root({ package_format: 'deb' }),
    )[0]!;
    expect(Object.keys(a).sort()).toEqual(
      [
        'app_name',
        'app_display_name',
        'app_epoch',
        'app_version',
        'app_release',
        'app_install_path',
        'app_trans_path',
        'app_publisher',
        'app_url',
        'app_source_package',
        'app_summary',
        'app_description',
      ].sort(),
    );
    const full = debLister.list(guest(path.join(appsDir, 'roots', 'deb')))[0]!;
    expect(toApplication(full).app_name).toBe(full.app2_name);
  });
});
