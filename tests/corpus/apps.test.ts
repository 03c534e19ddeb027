// The deb lister on dissect.target's dpkg-status (MANIFEST §3j, test_dpkg.py
// test_packages): 9 packages, the first accountsservice 0.6.55-0ubuntu12~20.04.5 amd64,
// summary "query and manipulate user account information".

import { describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../src/engine/inspect/apps/deb.js';
import { readTestdata } from '../helpers/fixtures.js';

describe('dissect.target dpkg-status', () => {
  const apps = parseDpkgStatus(
    new TextDecoder().decode(readTestdata('dissect.target/dpkg-status')),
  );

  it('lists the 9 packages in name order', () => {
    expect(apps.map((a) => a.app2_name)).toEqual([
      'accountsservice',
      'acl',
      'acpi-support',
      'acpid',
      'adduser',
      'zip',
      'zlib1g',
      'zlib1g-dev',
      'zstd',
    ]);
  });

  it('accountsservice: version, release, arch, summary', () => {
    expect(apps[0]).toMatchObject({
      app2_name: 'accountsservice',
      app2_epoch: 0,
      app2_version: '0.6.55',
      app2_release: '0ubuntu12~20.04.5',
      app2_arch: 'amd64',
      app2_summary: 'query and manipulate user account information',
    });
  });
});
