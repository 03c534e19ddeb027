// QCOW version 1 with damaged fields, starting from sleuthkit's test-data/image.qcow (4 KiB
// clusters, 512-entry L2 tables, L1 at 0x30). Field offsets are those of QEMU block/qcow.c.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { sharedTestdata } from '../helpers/fixtures.js';
import { be64, engineError, openBytes, prng, setBe32, setBe64 } from './helpers.js';

const good = new Uint8Array(
  fs.readFileSync(path.join(sharedTestdata, 'sleuthkit/test-data/image.qcow')),
);

function patched(patch: (b: Uint8Array) => void): Uint8Array {
  const b = good.slice();
  patch(b);
  return b;
}

describe('qcow v1 header and tables', () => {
  test.each([
    ['cluster_bits 8', (b: Uint8Array) => (b[32] = 8), 'corrupt', 'qcow header'],
    ['cluster_bits 17', (b: Uint8Array) => (b[32] = 17), 'corrupt', 'qcow header'],
    ['l2_bits 14', (b: Uint8Array) => (b[33] = 14), 'corrupt', 'qcow header'],
    ['crypt_method 1 (AES)', (b: Uint8Array) => setBe32(b, 36, 1), 'unsupported', 'qcow header'],
    ['crypt_method 2', (b: Uint8Array) => setBe32(b, 36, 2), 'corrupt', 'qcow header'],
    [
      'size needing a huge L1 table',
      (b: Uint8Array) => setBe64(b, 24, 1n << 52n),
      'corrupt',
      'qcow header',
    ],
    [
      'L1 table past EOF',
      (b: Uint8Array) => setBe64(b, 40, BigInt(good.length)),
      'corrupt',
      'qcow L1 table',
    ],
  ])('%s', (_, patch, kind, structure) => {
    const e = engineError(() => openBytes(patched(patch), [], undefined, 'image.qcow'));
    expect({ kind: e.kind, structure: e.structure }).toEqual({ kind, structure });
  });

  test('an L2 entry past EOF fails when its cluster is read', () => {
    const l2 = be64(good, be64(good, 40));
    const image = openBytes(patched((b) => setBe64(b, l2, BigInt(good.length + 4096))));
    const e = engineError(() => image.readAt(0, 512));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'qcow L2 table',
    });
  });

  test('an L1 entry past EOF fails when read', () => {
    const image = openBytes(patched((b) => setBe64(b, be64(b, 40), BigInt(good.length))));
    const e = engineError(() => image.readAt(0, 512));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'qcow L1 table',
    });
  });

  test('200 single-byte mutations of the header and first L2 table give an EngineError or a valid open', () => {
    const rnd = prng(0x9c01);
    let errors = 0;
    for (let n = 0; n < 200; n++) {
      const at = n % 2 === 0 ? Math.floor(rnd() * 48) : 4096 + Math.floor(rnd() * 4096);
      const b = patched((x) => (x[at] = Math.floor(rnd() * 256)));
      try {
        const image = openBytes(b);
        image.readAt(0, Math.min(image.size, 1 << 20));
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
