// Corruption per regf record: each case patches one field of a good structure in
// records.hive (offsets from the writer's layout.json, not from guestkit) and asserts the
// error's kind and structure.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { Hive } from '../../src/engine/regf/hive.js';
import { ensureFixture } from '../helpers/fixtures.js';

const dir = ensureFixture('windows');
const good = new Uint8Array(fs.readFileSync(path.join(dir, 'hives', 'records.hive')));
const layout = JSON.parse(fs.readFileSync(path.join(dir, 'hives', 'layout.json'), 'utf8')) as {
  root: number;
  keys: Record<string, number>;
  values: Record<string, number>;
  ri: number;
  ri_leaves: number[];
  db: number;
  db_segment_list: number;
};

/** A copy of records.hive with `patch` applied; the base block checksum is recomputed
 * unless the test is about it. */
function patched(patch: (dv: DataView) => void, fixChecksum = true): Uint8Array {
  const bytes = good.slice();
  const dv = new DataView(bytes.buffer);
  patch(dv);
  if (fixChecksum) {
    let sum = 0;
    for (let i = 0; i < 508; i += 4) sum = (sum ^ dv.getUint32(i, true)) >>> 0;
    dv.setUint32(508, sum, true);
  }
  return bytes;
}

function failure(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError');
}

function expectCorrupt(f: () => unknown, structure: string, offset?: number): void {
  const e = failure(f);
  expect(e.kind).toBe('corrupt');
  expect(e.structure).toBe(structure);
  if (offset !== undefined) expect(e.offset).toBe(offset);
}

const walkAll = (bytes: Uint8Array) => () => {
  const hive = Hive.open(bytes);
  hive.walk((nk) => hive.values(nk).forEach((v) => hive.data(v)));
};

describe('regf corruption', () => {
  it('the good hive reads', () => {
    expect(walkAll(good)).not.toThrow();
  });

  it('base block: checksum', () => {
    const bytes = patched((dv) => dv.setUint8(60, dv.getUint8(60) ^ 0xff), false);
    expectCorrupt(() => Hive.open(bytes), 'regf base block', 508);
  });

  it('base block: signature', () => {
    expectCorrupt(() => Hive.open(patched((dv) => dv.setUint8(0, 0x52))), 'regf base block', 0);
  });

  it('base block: hive bins size past the end of the file', () => {
    const bytes = patched((dv) => dv.setUint32(40, good.length, true));
    expectCorrupt(() => Hive.open(bytes), 'regf base block', 40);
  });

  it('hive bin: signature of the second bin', () => {
    const second = 4096 + new DataView(good.buffer).getUint32(4096 + 8, true);
    const bytes = patched((dv) => dv.setUint8(second, 0x48));
    expectCorrupt(() => Hive.open(bytes), 'regf hive bin', second);
  });

  it('hive bin: offset field', () => {
    expectCorrupt(
      () => Hive.open(patched((dv) => dv.setUint32(4096 + 4, 4096, true))),
      'regf hive bin',
      4100,
    );
  });

  it('cell: size running past its hive bin', () => {
    const at = layout.keys.Types!;
    expectCorrupt(
      () => Hive.open(patched((dv) => dv.setInt32(at, -0x100000, true))),
      'regf cell',
      at,
    );
  });

  it('nk: signature of the root key', () => {
    const bytes = patched((dv) => dv.setUint8(layout.root + 4, 0x4e));
    expectCorrupt(() => Hive.open(bytes), 'regf key node (nk)', layout.root + 4);
  });

  it('nk: subkey count disagreeing with its list', () => {
    const at = layout.keys.Delta! + 4 + 20;
    expectCorrupt(walkAll(patched((dv) => dv.setUint32(at, 3, true))), 'regf key node (nk)', at);
  });

  it('vk: signature', () => {
    const at = layout.values['Types\\dword']!;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint8(at + 4, 0x56))),
      'regf key value (vk)',
      at + 4,
    );
  });

  it('vk: data size beyond MAX_VALUE_DATA', () => {
    const at = layout.values['Types\\binary']!;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint32(at + 8, 0x7ffffff0, true))),
      'regf key value (vk)',
    );
  });

  it('vk: inline data longer than 4 bytes', () => {
    const at = layout.values['Types\\dword']!;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint32(at + 8, 0x80000008, true))),
      'regf key value (vk)',
    );
  });

  it('values list: count larger than its cell', () => {
    const at = layout.keys.Types! + 4 + 36;
    expectCorrupt(walkAll(patched((dv) => dv.setUint32(at, 100000, true))), 'regf key values list');
  });

  it('subkey list: element count far larger than its cell', () => {
    const lh = layout.ri_leaves[2]!;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint16(lh + 6, 0xffff, true))),
      'regf subkey list (lh)',
      lh + 6,
    );
  });

  it('subkey list: an index root pointing to an index root', () => {
    const leaf = layout.ri_leaves[0]!;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint8(leaf + 4, 0x72))),
      'regf subkey list (ri)',
      leaf + 4,
    );
  });

  it('subkey list: an offset into the middle of a cell', () => {
    const lf = layout.ri_leaves[1]!;
    const bytes = patched((dv) => dv.setUint32(lf + 8, dv.getUint32(lf + 8, true) + 8, true));
    expectCorrupt(walkAll(bytes), 'regf key node (nk)');
  });

  it('subkey list: a cycle back to the root is stopped at MAX_KEY_DEPTH', () => {
    // Alpha's li holds Sub1; point it at the root key instead.
    const alpha = new DataView(good.buffer).getUint32(layout.keys.Alpha! + 4 + 28, true) + 4096;
    const bytes = patched((dv) => dv.setUint32(alpha + 8, layout.root - 4096, true));
    expectCorrupt(walkAll(bytes), 'regf key node (nk)');
  });

  it('db: segment offset past the end of the hive', () => {
    const list = layout.db_segment_list;
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint32(list + 4, 0x7ffffff0, true))),
      'regf big data segment',
    );
  });

  it('db: fewer segments than the data size needs', () => {
    expectCorrupt(
      walkAll(patched((dv) => dv.setUint16(layout.db + 6, 1, true))),
      'regf big data (db)',
      layout.db + 6,
    );
  });

  it('random byte flips never escape as anything but EngineError', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 300; i++) {
      const bytes = good.slice();
      for (let k = 0; k < 4; k++)
        bytes[4096 + Math.floor(rand() * (good.length - 4096))] = Math.floor(rand() * 256);
      try {
        walkAll(bytes)();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
      }
    }
  });
});
