// The API table and the handle agree for the mount and file actions: every table entry of
// the action modules is declared implemented with the same arity, every RStruct/RStructList
// carries exactly the field names of libguestfs' generator/structs.ml (spelled out here),
// write actions fail with EROFS naming the overlay, and `call` passes optional arguments.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, findAction } from '../../src/engine/guestfs/api-table.js';
import { EXPORT_ACTIONS } from '../../src/engine/guestfs/export-actions.js';
import { FILE_ACTIONS } from '../../src/engine/guestfs/file-actions.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { MOUNT_ACTIONS } from '../../src/engine/guestfs/mount-actions.js';
import { PART_ACTIONS } from '../../src/engine/guestfs/part-actions.js';
import { TREE_ACTIONS } from '../../src/engine/guestfs/tree-actions.js';
import { guest, thrown } from './helpers.js';

/** libguestfs generator/structs.ml, the columns of each structure. */
const STRUCTS: Record<string, string[]> = {
  stat: [
    'dev',
    'ino',
    'mode',
    'nlink',
    'uid',
    'gid',
    'rdev',
    'size',
    'blksize',
    'blocks',
    'atime',
    'mtime',
    'ctime',
  ],
  statns: [
    'st_dev',
    'st_ino',
    'st_mode',
    'st_nlink',
    'st_uid',
    'st_gid',
    'st_rdev',
    'st_size',
    'st_blksize',
    'st_blocks',
    'st_atime_sec',
    'st_atime_nsec',
    'st_mtime_sec',
    'st_mtime_nsec',
    'st_ctime_sec',
    'st_ctime_nsec',
    'st_spare1',
    'st_spare2',
    'st_spare3',
    'st_spare4',
    'st_spare5',
    'st_spare6',
  ],
  statvfs: [
    'bsize',
    'frsize',
    'blocks',
    'bfree',
    'bavail',
    'files',
    'ffree',
    'favail',
    'fsid',
    'flag',
    'namemax',
  ],
  dirent: ['ino', 'ftyp', 'name'],
  xattr: ['attrname', 'attrval'],
  partition: ['part_num', 'part_start', 'part_end', 'part_size'],
};

const TABLES = {
  ...PART_ACTIONS,
  ...MOUNT_ACTIONS,
  ...FILE_ACTIONS,
  ...TREE_ACTIONS,
  ...EXPORT_ACTIONS,
};

let g: Guestfs;
beforeAll(async () => {
  g = await guest();
});
afterAll(() => g?.close());

describe('table and handle agree', () => {
  for (const [name, fn] of Object.entries(TABLES)) {
    it(`${name}: declared implemented, same arity, a method of Guestfs`, () => {
      const a = findAction(name);
      expect(a?.state).toBe('implemented');
      // The implementation takes the layer first; optional arguments have a default.
      expect(fn.length).toBe(1 + a!.args.length);
      expect(typeof (Guestfs.prototype as unknown as Record<string, unknown>)[name]).toBe(
        'function',
      );
    });
  }

  it('every implemented action of the table is a method', () => {
    for (const a of ACTIONS.filter((x) => x.state === 'implemented'))
      expect(typeof (Guestfs.prototype as unknown as Record<string, unknown>)[a.name], a.name).toBe(
        'function',
      );
  });
});

describe('structures have libguestfs field names', () => {
  const samples: [string, () => unknown][] = [
    ['stat', () => g.stat('/etc/hostname')],
    ['stat', () => g.lstat('/bin')],
    ['statns', () => g.statns('/etc/hostname')],
    ['statns', () => g.lstatns('/bin')],
    ['statvfs', () => g.statvfs('/home')],
    ['dirent', () => g.readdir('/etc')],
    ['xattr', () => g.lgetxattrs('/etc/xattr-file')],
    ['statns', () => g.lstatnslist('/etc', ['hostname', 'motd'])],
    ['stat', () => g.lstatlist('/etc', ['hostname'])],
    ['partition', () => g.part_list('/dev/sda')],
  ];
  for (const [struct, get] of samples) {
    it(struct, () => {
      const v = get();
      for (const item of Array.isArray(v) ? v : [v])
        expect(Object.keys(item as object)).toEqual(STRUCTS[struct]);
    });
  }
  it('the table names the structure of each RStruct/RStructList action', () => {
    for (const a of ACTIONS.filter(
      (x) => x.state === 'implemented' && (x.ret === 'RStruct' || x.ret === 'RStructList'),
    ))
      if (TABLES[a.name as keyof typeof TABLES])
        expect(Object.keys(STRUCTS), a.name).toContain(a.struct);
  });
});

describe('call', () => {
  it('passes optional arguments by name', () => {
    expect(g.call('is_dir', ['/bin'], { followsymlinks: true })).toBe(true);
    expect(g.call('is_dir', ['/bin'])).toBe(false);
    expect(g.call('glob_expand', ['/home/*'], { directoryslash: false })).toContain('/home/alice');
  });

  it('write actions are EROFS naming the overlay; refused ones unsupported', () => {
    for (const a of ACTIONS.filter((x) => x.writes)) {
      const e = thrown(() => g.call(a.name, []));
      expect([a.name, e.kind, e.feature]).toEqual([a.name, 'EROFS', 'copy-on-write overlay']);
    }
    expect(thrown(() => g.call('command', [['ls']])).kind).toBe('unsupported');
  });
});
