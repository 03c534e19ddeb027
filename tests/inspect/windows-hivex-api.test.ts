// The hivex_* actions against the hivex library itself: build-windows.sh walked two hives
// with Win::Hivex (the library libguestfs wraps) and recorded every handle, name, parent,
// child list and value; HivexSession must return the same numbers and strings.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { toHex } from '../../src/engine/io/bytes.js';
import { HivexSession } from '../../src/engine/inspect/windows/hivex-api.js';
import { ensureFixture } from '../helpers/fixtures.js';

const dir = ensureFixture('windows');
interface Dumped {
  root: number;
  nodes: {
    h: number;
    name: string;
    parent: number | null;
    children: number[];
    values: { h: number; key: string; type: number; hex: string; string?: string }[];
  }[];
}

const session = () =>
  new HivexSession((p) => new Uint8Array(fs.readFileSync(path.join(dir, 'trees', 'win10', p))));
const kindOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as EngineError).kind;
  }
  return 'no error';
};

describe('hivex_* actions vs Win::Hivex', () => {
  for (const hive of ['SOFTWARE', 'SYSTEM']) {
    it(`${hive}: root, names, parents, children, values`, () => {
      const want = JSON.parse(
        fs.readFileSync(path.join(dir, 'expected', `hivex-${hive}-win10.json`), 'utf8'),
      ) as Dumped;
      const g = session();
      g.hivex_open(`/Windows/System32/config/${hive}`, { unsafe: true });
      expect(g.hivex_root()).toBe(want.root);
      for (const n of want.nodes) {
        expect(g.hivex_node_name(n.h)).toBe(n.name);
        if (n.parent === null) expect(kindOf(() => g.hivex_node_parent(n.h))).toBe('EINVAL');
        else expect(g.hivex_node_parent(n.h)).toBe(n.parent);
        expect(g.hivex_node_children(n.h)).toEqual(n.children.map((c) => ({ hivex_node_h: c })));
        expect(g.hivex_node_values(n.h)).toEqual(n.values.map((v) => ({ hivex_value_h: v.h })));
        for (const v of n.values) {
          expect(g.hivex_value_key(v.h)).toBe(v.key);
          expect(g.hivex_value_type(v.h)).toBe(v.type);
          expect(toHex(g.hivex_value_value(v.h))).toBe(v.hex);
          if (v.string !== undefined) {
            expect(g.hivex_value_string(v.h)).toBe(v.string);
            expect(g.hivex_value_utf8(v.h)).toBe(v.string);
          } else {
            expect(kindOf(() => g.hivex_value_string(v.h))).toBe('EINVAL');
          }
          expect(g.hivex_node_get_value(n.h, v.key.toUpperCase())).toBe(v.h);
        }
        for (const c of n.children) {
          expect(
            g.hivex_node_get_child(n.h, want.nodes.find((x) => x.h === c)!.name.toLowerCase()),
          ).toBe(c);
        }
      }
      expect(g.hivex_node_get_child(want.root, 'no such key')).toBe(0);
      expect(g.hivex_node_get_value(want.root, 'no such value')).toBe(0);
      g.hivex_close();
    });
  }

  it('needs hivex_open first, rejects bad handles, refuses writes', () => {
    const g = session();
    expect(kindOf(() => g.hivex_root())).toBe('EINVAL');
    g.hivex_open('/Windows/System32/config/SYSTEM');
    expect(kindOf(() => g.hivex_node_name(g.hivex_root() + 8))).toBe('EINVAL');
    expect(kindOf(() => g.hivex_value_key(g.hivex_root()))).toBe('EINVAL');
    expect(kindOf(() => g.hivex_node_add_child(g.hivex_root(), 'x'))).toBe('unsupported');
    expect(kindOf(() => g.hivex_commit(null))).toBe('unsupported');
    expect(kindOf(() => g.hivex_open('/Windows/System32/config/SYSTEM', { write: true }))).toBe(
      'unsupported',
    );
    expect(kindOf(() => g.hivex_root())).toBe('EINVAL');
  });
});
