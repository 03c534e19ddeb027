// The packages pane's data functions on the Debian fixture's real package list: counts per
// architecture against dpkg-query, CSV that reads back (RFC 4180) to the same fields even
// for descriptions with quotes, commas and newlines, JSON that is the records themselves,
// the filter and the sort.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Application2 } from '../engine/inspect/types.js';
import { ensureFixture } from '../../tests/helpers/fixtures.js';
import { openGuest } from '../../tests/inspect/helpers.js';
import {
  countsBy,
  filterRows,
  fullVersion,
  parseCsv,
  sortRows,
  toCsv,
  toJson,
  toRow,
} from './packages.js';

const dir = ensureFixture('debian');
const dpkg = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'dpkg.json'), 'utf8')) as {
  packages: { name: string; version: string; arch: string }[];
};
let apps: Application2[];

beforeAll(async () => {
  const g = await openGuest(path.join(dir, 'disk.qcow2'));
  const [root] = g.inspect_os();
  g.mount_ro(root!, '/');
  apps = g.inspect_list_applications2(root!);
  g.close();
});

describe('packages pane data', () => {
  it('shows versions as dpkg-query prints them and counts per arch as it does', () => {
    const rows = apps.map(toRow);
    const want = new Map(dpkg.packages.map((p) => [p.name, p.version]));
    for (const r of rows) expect(r.version).toBe(want.get(r.name));
    const byArch = new Map<string, number>();
    for (const p of dpkg.packages) byArch.set(p.arch, (byArch.get(p.arch) ?? 0) + 1);
    expect(new Map(countsBy(rows, 'arch'))).toEqual(byArch);
  });

  it('exports CSV that parses back to every field, quotes and newlines included', () => {
    const rows = apps.map(toRow);
    const table = parseCsv(toCsv(rows));
    expect(table[0]).toEqual([
      'name',
      'epoch',
      'version',
      'release',
      'arch',
      'summary',
      'source_package',
      'publisher',
      'url',
      'install_path',
      'description',
    ]);
    expect(table.length).toBe(rows.length + 1);
    const tricky = rows.findIndex((r) => /["\n,]/.test(r.description));
    expect(tricky).toBeGreaterThanOrEqual(0);
    rows.forEach((r, i) => {
      const a = r.app;
      expect(table[i + 1]).toEqual([
        a.app2_name,
        String(a.app2_epoch),
        a.app2_version,
        a.app2_release,
        a.app2_arch,
        a.app2_summary,
        a.app2_source_package,
        a.app2_publisher,
        a.app2_url,
        a.app2_install_path,
        a.app2_description,
      ]);
    });
  });

  it('exports JSON that is the inspect_list_applications2 records', () => {
    expect(JSON.parse(toJson(apps.map(toRow)))).toEqual(apps);
  });

  it('filters on every word and sorts by any column, stably', () => {
    const rows = apps.map(toRow);
    const lib = filterRows(rows, 'LIB  amd64');
    expect(lib.length).toBe(
      dpkg.packages.filter(
        (p) =>
          p.arch === 'amd64' &&
          `${p.name} ${rows.find((r) => r.name === p.name)!.summary}`.toLowerCase().includes('lib'),
      ).length,
    );
    const byArchDesc = sortRows(rows, 'arch', 'desc');
    expect(byArchDesc[0]!.arch).toBe('amd64');
    expect(byArchDesc.at(-1)!.arch).toBe('all');
    // Within one arch the names stay in order.
    const amd = byArchDesc.filter((r) => r.arch === 'amd64').map((r) => r.name);
    expect(amd).toEqual([...amd].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    expect(sortRows(rows, 'name', 'asc').map((r) => r.name)).toEqual(
      sortRows(rows, 'name', 'desc')
        .map((r) => r.name)
        .reverse(),
    );
    expect(fullVersion({ ...apps[0]!, app2_epoch: 1, app2_release: 'r2' })).toBe(
      `1:${apps[0]!.app2_version}-r2`,
    );
  });
});
