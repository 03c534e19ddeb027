// Damaged trees: home-loop.img is the fixture's home filesystem with /alice hard-linked
// into /alice/docs/loopback by debugfs (a directory that is its own ancestor). Walks must
// stop with a `corrupt` error naming the directory tree instead of running forever; single
// lookups through the loop still work, bounded by the symlink-free path length.

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { dir, launched, thrown } from './helpers.js';

let g: Guestfs;
beforeAll(async () => {
  g = await launched([path.join(dir, 'home-loop.img')]);
  g.mount_ro('/dev/sda', '/');
});
afterAll(() => g?.close());

describe('a directory that is its own ancestor', () => {
  it('debugfs made the loop: the link has the inode of /alice', () => {
    expect(g.lstatns('/alice/docs/loopback').st_ino).toBe(g.lstatns('/alice').st_ino);
    expect(g.cat('/alice/docs/loopback/docs/loopback/notes.txt')).toBe(
      'alice notes\nsecond ERROR line\n',
    );
  });

  for (const [name, call] of [
    ['find', (h: Guestfs) => h.find('/')],
    ['find0', (h: Guestfs) => h.find0('/', '/dev/null')],
    ['tar_out', (h: Guestfs) => h.tar_out('/alice', '/dev/null')],
  ] as const) {
    it(`${name} stops with corrupt "directory tree"`, () => {
      const e = thrown(() => call(g));
      expect(e.kind).toBe('corrupt');
      expect(e.structure).toBe('directory tree');
    });
  }
});
