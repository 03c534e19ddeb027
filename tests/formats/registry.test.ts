// The format registry and resolvers: detection from content, forced formats, backing-chain
// loops and depth, and QEMU's rule for relative backing file names.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import {
  MAX_BACKING_CHAIN_DEPTH,
  createOpenContext,
  detectFormat,
  openImage,
  peekImage,
} from '../../src/engine/formats/registry.js';
import type { FileResolver } from '../../src/engine/formats/types.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture, sharedTestdata } from '../helpers/fixtures.js';
import { engineError, openBytes } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('qcow2');
});
const bytes = (file: string) => new Uint8Array(fs.readFileSync(file));
const fixture = (name: string) => bytes(path.join(dir, name));
const sleuthkit = (name: string) => bytes(path.join(sharedTestdata, 'sleuthkit/test-data', name));

describe('detection', () => {
  test.each([
    ['qcow2 v3', () => fixture('v3.qcow2'), 'qcow2'],
    ['qcow2 v2', () => fixture('v2.qcow2'), 'qcow2'],
    ['QCOW version 1 (sleuthkit image.qcow)', () => sleuthkit('image.qcow'), 'qcow'],
    ['a raw ext2 file system (sleuthkit image.dd)', () => sleuthkit('image.dd'), 'raw'],
    ['an empty file', () => new Uint8Array(0), 'raw'],
  ])('%s → %s', (_, data, format) => {
    const b = data();
    expect(detectFormat(b.subarray(0, 65536), b.length).name).toBe(format);
    expect(peekImage(new MemorySource(b)).format).toBe(format);
  });

  test('a forced raw format gives the file itself, even for a qcow2 file', () => {
    const b = fixture('v3.qcow2');
    const image = openBytes(b, [], 'raw');
    expect(image.format).toBe('raw');
    expect(image.size).toBe(b.length);
    expect(Buffer.from(image.readAt(0, 4096)).equals(Buffer.from(b.subarray(0, 4096)))).toBe(true);
  });

  test('an unknown forced format is unsupported, naming it', () => {
    const e = engineError(() => openBytes(fixture('v3.qcow2'), [], 'nosuchformat'));
    expect(e.kind).toBe('unsupported');
    expect(e.feature).toBe('image format nosuchformat');
  });
});

describe('backing chains', () => {
  test('an image naming itself as backing file is a loop', () => {
    // missing.qcow2 names "missing-base.qcow2": supply it under that name only.
    const b = fixture('missing.qcow2');
    const e = engineError(() => openBytes(b, [], undefined, 'missing-base.qcow2'));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'backing chain',
    });
  });

  test(`chains deeper than MAX_BACKING_CHAIN_DEPTH (${MAX_BACKING_CHAIN_DEPTH}) are refused`, () => {
    const source = new MemorySource(fixture('missing.qcow2'));
    let n = 0;
    // Every reference resolves to the same bytes under a new key: an endless chain.
    const resolver: FileResolver = { resolve: () => ({ key: `k${++n}`, name: 'x', source }) };
    const e = engineError(() => openImage(source, createOpenContext(resolver, 'k0')));
    expect(e.kind).toBe('unsupported');
    expect(n).toBe(MAX_BACKING_CHAIN_DEPTH);
  });

  test('browser resolver: references match supplied files by base name', () => {
    const src = new MemorySource(new Uint8Array(1));
    const r = new MapResolver([['base.qcow2', src]]);
    expect(r.resolve('/abs/dir/base.qcow2')?.source).toBe(src);
    expect(r.resolve('..\\win\\base.qcow2')?.key).toBe('base.qcow2');
    expect(r.resolve('other.qcow2')).toBeUndefined();
  });

  test('Node resolver: a relative backing name is relative to the image as named, like qemu', () => {
    // A symlink elsewhere to mid.qcow2 (backing "base.qcow2", relative): qemu looks for
    // base.qcow2 beside the link, not beside the target, and fails; so must we.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'guestkit-resolver-'));
    try {
      const link = path.join(tmp, 'link.qcow2');
      fs.symlinkSync(path.join(dir, 'mid.qcow2'), link);
      let qemuFailed = false;
      try {
        execFileSync('qemu-img', ['info', '-U', '--backing-chain', link], { stdio: 'ignore' });
      } catch {
        qemuFailed = true;
      }
      expect(qemuFailed).toBe(true);
      const e = engineError(() => openNodeImage(link));
      expect(e.kind).toBe('ENOENT');
      expect(e.path).toBe('base.qcow2');
      // With base.qcow2 beside the link, both open the chain.
      fs.symlinkSync(path.join(dir, 'base.qcow2'), path.join(tmp, 'base.qcow2'));
      execFileSync('qemu-img', ['info', '-U', '--backing-chain', link], { stdio: 'ignore' });
      expect(openNodeImage(link).image.backing?.format).toBe('qcow2');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
