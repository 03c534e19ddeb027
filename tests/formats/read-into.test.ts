// readInto on formats reads runs straight into the caller's buffer: it must give exactly
// qemu-img's bytes even into a buffer full of junk (holes, zero clusters, backing data and
// compressed clusters all have to be written, not assumed).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture } from '../helpers/fixtures.js';

const dir = ensureFixture('qcow2');
// disk.raw is the source every plain variant was converted from (its sha256 is checked
// against qemu-img's in the qcow2 tests); top.qcow2's expected bytes come from qemu-img too.
const raw = fs.readFileSync(path.join(dir, 'disk.raw'));

describe('readInto equals the source bytes', () => {
  for (const name of ['v2', 'v3', 'c512', 'c2m', 'zlib', 'zstd', 'extl2', 'datafile']) {
    it(`${name}.qcow2`, () => {
      const { image, resolver } = openNodeImage(path.join(dir, `${name}.qcow2`));
      let seed = 99;
      for (let i = 0; i < 100; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const off = seed % raw.length;
        const len = Math.min(raw.length - off, (seed >>> 5) % (3 * 1024 * 1024));
        const dst = new Uint8Array(len).fill(0xa5);
        image.readInto!(off, dst);
        expect(Buffer.from(dst).equals(raw.subarray(off, off + len))).toBe(true);
      }
      resolver.close();
    });
  }

  it('a backing chain (top.qcow2) gives what readAt gives', () => {
    const { image, resolver } = openNodeImage(path.join(dir, 'top.qcow2'));
    for (let off = 0; off < image.size; off += 4 * 1024 * 1024 - 4096) {
      const len = Math.min(4 * 1024 * 1024, image.size - off);
      const dst = new Uint8Array(len).fill(0x5a);
      image.readInto!(off, dst);
      expect(Buffer.from(dst).equals(image.readAt(off, len))).toBe(true);
    }
    resolver.close();
  });
});
