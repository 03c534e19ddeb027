// `guestkit inspect --xml` on the Windows fixture disks against libguestfs' virt-inspector
// (1.48, run by fixtures/build-windows.sh): byte for byte, with one documented exception.
// libguestfs 1.48 predates Windows 11 and reports osinfo win10 for build 22631; current
// libguestfs (and the issue) tell Windows 11 apart by build ≥ 22000, so we say win11.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../helpers/fixtures.js';
import { cliInspect } from './helpers.js';

const dir = ensureFixture('windows');

describe('guestkit inspect on the Windows disks equals virt-inspector', () => {
  for (const d of ['mbr', 'gpt']) {
    const reference = path.join(dir, 'expected', `virt-inspector-${d}.xml`);
    it.skipIf(!fs.existsSync(reference))(`disk-${d}.qcow2`, async () => {
      let want = fs.readFileSync(reference, 'utf8');
      if (d === 'gpt') {
        // The one difference, asserted so that it cannot hide another.
        const inputs = JSON.parse(
          fs.readFileSync(path.join(dir, 'expected', 'windows.json'), 'utf8'),
        );
        const build = Number(Object.fromEntries(inputs.variants.win11.cv).CurrentBuildNumber);
        expect(build).toBeGreaterThanOrEqual(22000);
        expect(want.match(/<osinfo>win10<\/osinfo>/g)).toHaveLength(1);
        want = want.replace('<osinfo>win10</osinfo>', '<osinfo>win11</osinfo>');
      }
      const { stdout, code } = await cliInspect(['-a', path.join(dir, `disk-${d}.qcow2`), '--xml']);
      expect(code).toBe(0);
      expect(stdout).toBe(want);
    });
  }
});
