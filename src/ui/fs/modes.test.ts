// The listing's mode strings and times against GNU coreutils: `stat -c '%f %A'` of real
// files with every kind of permission bit and file type, `date -u` for times.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTime, modeString } from './modes.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsui-modes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function make(name: string, kind: 'file' | 'dir' | 'fifo', mode: number): string {
  const p = path.join(tmp, name);
  if (kind === 'file') fs.writeFileSync(p, '');
  if (kind === 'dir') fs.mkdirSync(p);
  if (kind === 'fifo') execFileSync('mkfifo', [p]);
  fs.chmodSync(p, mode);
  return p;
}

describe('modeString', () => {
  it('prints what stat -c %A prints for each kind and permission', () => {
    const paths = [
      make('plain', 'file', 0o644),
      make('exec', 'file', 0o755),
      make('setuid', 'file', 0o4755),
      make('setuid-noexec', 'file', 0o4644),
      make('setgid', 'file', 0o2750),
      make('setgid-noexec', 'file', 0o2640),
      make('none', 'file', 0o000),
      make('sticky', 'dir', 0o1777),
      make('sticky-noexec', 'dir', 0o1776),
      make('dir', 'dir', 0o750),
      make('fifo', 'fifo', 0o600),
      '/dev/null',
    ];
    const link = path.join(tmp, 'link');
    fs.symlinkSync('plain', link);
    paths.push(link);
    const disk = fs.readdirSync('/dev').find((n) => /^(loop\d+|vda|sda)$/.test(n));
    if (disk) paths.push(`/dev/${disk}`);
    for (const p of paths) {
      const [hex, want] = execFileSync('stat', ['-c', '%f %A', p]).toString().trim().split(' ');
      expect([p, modeString(parseInt(hex!, 16))]).toEqual([p, want]);
    }
  });

  it('marks a mode of unknown type with "?"', () => {
    expect(modeString(0o644)).toBe('?rw-r--r--');
  });
});

describe('formatTime', () => {
  it('prints UTC as date -u does', () => {
    for (const sec of [0, 1700000000, 1796021322, 4102444800, -1]) {
      const want = execFileSync('date', ['-u', '-d', `@${sec}`, '+%Y-%m-%d %H:%M:%S'])
        .toString()
        .trim();
      expect(formatTime(sec)).toBe(want);
    }
  });
});
