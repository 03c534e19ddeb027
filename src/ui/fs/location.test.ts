// Deep-link hashes: what the pane writes it reads back, device names that prefix one
// another, names that need escaping, and links that name a device the image lacks.

import { describe, expect, it } from 'vitest';
import { ancestors, baseName, formatHash, parentPath, parseHash } from './location.js';

const devices = ['/dev/sda1', '/dev/sda10', '/dev/sda2', '/dev/vg0/root', '/dev/mapper/luks-x'];

describe('formatHash and parseHash', () => {
  it('round-trips devices and paths, including names that need escaping', () => {
    const cases = [
      { device: '/dev/sda2', path: '/etc/passwd' },
      { device: '/dev/sda2', path: '/' },
      { device: '/dev/sda10', path: '/a b/Grüße ünïcödé.txt' },
      { device: '/dev/vg0/root', path: '/100% #1?/x' },
      { device: '/dev/mapper/luks-x', path: '/home' },
    ];
    for (const loc of cases) expect(parseHash(formatHash(loc), devices)).toEqual(loc);
  });

  it('writes the example of the issue literally', () => {
    expect(formatHash({ device: '/dev/sda2', path: '/etc/passwd' })).toBe('#/dev/sda2/etc/passwd');
    expect(formatHash({ device: '/dev/sda2', path: '/' })).toBe('#/dev/sda2/');
    expect(formatHash({ device: '/dev/sda2', path: '/a b' })).toBe('#/dev/sda2/a%20b');
  });

  it('takes the longest device that ends at a "/"', () => {
    expect(parseHash('#/dev/sda10/x', devices)).toEqual({ device: '/dev/sda10', path: '/x' });
    expect(parseHash('#/dev/sda1/x', devices)).toEqual({ device: '/dev/sda1', path: '/x' });
    expect(parseHash('#/dev/sda1', devices)).toEqual({ device: '/dev/sda1', path: '/' });
    expect(parseHash('#/dev/sda1//etc/./x/', devices)).toEqual({
      device: '/dev/sda1',
      path: '/etc/x',
    });
  });

  it('reports a link to a device the image lacks, and no link at all', () => {
    expect(parseHash('#/dev/sdb1/etc', devices)).toEqual({ unmatched: '/dev/sdb1/etc' });
    expect(parseHash('#/dev/sda3', devices)).toEqual({ unmatched: '/dev/sda3' });
    expect(parseHash('', devices)).toBeUndefined();
    expect(parseHash('#', devices)).toBeUndefined();
    expect(parseHash('#/dev/sda2/%E0%A4%A', devices)).toEqual({
      device: '/dev/sda2',
      path: '/%E0%A4%A',
    });
  });
});

describe('path helpers', () => {
  it('splits paths as the tree and breadcrumbs need them', () => {
    expect(parentPath('/a/b/c')).toBe('/a/b');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(baseName('/a/b.txt')).toBe('b.txt');
    expect(ancestors('/a/b')).toEqual(['/', '/a', '/a/b']);
    expect(ancestors('/')).toEqual(['/']);
  });
});
