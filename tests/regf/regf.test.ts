// The regf reader against hivex: every key and every value (type and bytes) of every
// fixture hive must equal `hivexregedit --export`; decoders and lookups against the values
// build-windows.sh wrote.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hive } from '../../src/engine/regf/hive.js';
import {
  valueDword,
  valueMultipleStrings,
  valueQword,
  valueString,
} from '../../src/engine/regf/value-types.js';
import { toHex } from '../../src/engine/io/bytes.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { parseRegExport, type ExportedHive } from './reg-export.js';

const dir = ensureFixture('windows');
const hiveBytes = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, 'hives', name)));

function dump(hive: Hive): ExportedHive {
  const out: ExportedHive = new Map();
  hive.walk((nk, p) => {
    const values = new Map<string, { type: number; hex: string }>();
    for (const v of hive.values(nk)) values.set(v.name, { type: v.type, hex: toHex(hive.data(v)) });
    out.set(p.join('\\'), values);
  });
  return out;
}

const HIVES = [
  'records.hive',
  ...['win10', 'win2019', 'win11', 'win7'].flatMap((v) => [`SOFTWARE-${v}`, `SYSTEM-${v}`]),
];

describe('regf reader vs hivexregedit --export', () => {
  for (const name of HIVES) {
    it(`${name}: every key and value`, () => {
      const expected = parseRegExport(
        path.join(dir, 'expected', `${name.replace(/\.hive$/, '')}.reg`),
      );
      const actual = dump(Hive.open(hiveBytes(name), name));
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, values] of expected) {
        expect(Object.fromEntries(actual.get(key)!), key).toEqual(Object.fromEntries(values));
      }
    });
  }
});

describe('records.hive (every record kind)', () => {
  const hive = Hive.open(hiveBytes('records.hive'));
  const types = hive.lookup('Types')!;
  const value = (n: string) => {
    const v = hive.getValue(types, n)!;
    return { type: v.type, data: hive.data(v) };
  };

  it('reads the root, a clean hive and the ri → li/lf/lh children in order', () => {
    expect(hive.root().name).toBe('ROOT');
    expect(hive.dirty).toBe(false);
    expect(hive.children(hive.root()).map((c) => c.name)).toEqual([
      'Alpha',
      'Beta',
      'Delta',
      'Epsilon',
      'Types',
      'WithClass',
      'Ünïcødé-κλειδί',
    ]);
  });

  it('looks keys and values up case-insensitively, including UTF-16 names', () => {
    expect(hive.lookup('alpha\\SUB1\\sub2')?.name).toBe('Sub2');
    expect(hive.lookup(['ÜNÏCØDÉ-ΚΛΕΙΔΊ'])?.name).toBe('Ünïcødé-κλειδί');
    expect(hive.lookup('Alpha\\Missing')).toBeUndefined();
    expect(hive.getValue(types, 'DWORD')?.name).toBe('dword');
    expect(hive.getValue(types, 'VÄLÜE-名前')?.name).toBe('välüe-名前');
    expect(hive.getValue(types, '')?.name).toBe('');
  });

  it('parent links lead back to the root', () => {
    const sub2 = hive.lookup('Alpha\\Sub1\\Sub2')!;
    expect(hive.parent(hive.parent(sub2)!)!.name).toBe('Alpha');
    expect(hive.parent(hive.root())).toBeUndefined();
  });

  it('reads the class name the writer stored', () => {
    expect(hive.className(hive.lookup('WithClass')!)).toBe('MyClassName');
    expect(hive.className(types)).toBe('');
  });

  it('decodes values as hivex does', () => {
    expect(valueString(1, value('sz').data)).toBe('hello, wörld');
    expect(valueString(2, value('expand').data)).toBe('%SystemRoot%\\System32');
    expect(valueString(6, value('link').data)).toBe('\\Registry\\Machine\\Software\\Target');
    expect(valueString(1, value('junk_after_nul').data)).toBe('visible');
    expect(valueMultipleStrings(7, value('multi').data)).toEqual(['one', 'two', 'three']);
    expect(valueDword(4, value('dword').data)).toBe(0x12345678);
    expect(valueDword(4, value('dword_cell').data)).toBe(42);
    expect(valueDword(5, value('dword_be').data)).toBe(0xcafebabe | 0);
    expect(valueQword(11, value('qword').data)).toBe(0x0102030405060708n);
    expect(value('none').data.length).toBe(0);
    expect(() => valueString(4, value('dword').data)).toThrow(/not string/);
  });

  it('assembles the 40,000-byte value from its db segments', () => {
    const { data } = value('big');
    expect(data.length).toBe(40000);
    for (const i of [0, 16343, 16344, 32688, 39999])
      expect(data[i]).toBe((i * 7 + (i >> 8)) & 0xff);
  });
});

describe('dirty hives', () => {
  it('reads a hive whose sequence numbers differ, and flags it', () => {
    const bytes = hiveBytes('SOFTWARE-win10');
    const dv = new DataView(bytes.buffer);
    dv.setUint32(8, dv.getUint32(4, true) + 1, true);
    let sum = 0;
    for (let i = 0; i < 508; i += 4) sum = (sum ^ dv.getUint32(i, true)) >>> 0;
    dv.setUint32(508, sum, true);
    const hive = Hive.open(bytes);
    expect(hive.dirty).toBe(true);
    expect(hive.lookup('Microsoft\\Windows NT\\CurrentVersion')).toBeDefined();
  });
});
