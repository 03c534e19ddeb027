// The worker session in Node, over the e2e fixtures (fixtures/build-e2e.sh) read with
// NodeFileSource: which file is the top image, the missing-backing-file and
// not-a-disk-image messages, and the inventory against sfdisk --json and blkid -p.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors.js';
import { NodeFileSource } from '../engine/io/node-source.js';
import { PageCache } from '../engine/io/page-cache.js';
import { ensureFixture } from '../../tests/helpers/fixtures.js';
import { PAGE_SIZE, SuppliedFilesEnvironment, fileCacheBytes } from './browser-env.js';
import { type OpenedImage, type OpenResult, SessionHost, looksLikeText } from './session.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('e2e');
});

/** The Node twin of browserEnvironment: same page size and budget, files from disk. */
function nodeEnvironment(names: string[]): SuppliedFilesEnvironment {
  return new SuppliedFilesEnvironment(
    names.map((n) => {
      const file = new NodeFileSource(path.join(dir, n));
      const source = new PageCache(file, {
        pageSize: PAGE_SIZE,
        maxBytes: fileCacheBytes(names.length),
      });
      return { name: n, source, stats: file.stats };
    }),
  );
}

const host = () => new SessionHost<string>(nodeEnvironment);

function expected(name: string, what: 'sfdisk' | 'blkid' | 'qemu-img') {
  return JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.${what}.json`), 'utf8'));
}

function opened(r: OpenResult): OpenedImage {
  if (r.status !== 'opened') throw new Error(`expected an opened image, got ${r.status}`);
  return r;
}

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

/** Partitions of /dev/sda as [name, start, size, fs type, label, uuid] from the inventory. */
function shownPartitions(r: OpenedImage) {
  return r.inventory.devices
    .filter((d) => d.kind === 'partition')
    .map((d) => [d.name, d.start, d.size, d.fs?.type ?? '', d.fs?.label ?? '', d.fs?.uuid ?? ''])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
}

/** The same from sfdisk --json and blkid -p. */
function toolPartitions(name: string) {
  const t = expected(name, 'sfdisk').partitiontable;
  const blkid: { partnum: number; export: Record<string, string> }[] = expected(name, 'blkid');
  return t.partitions
    .map((p: { node: string; start: number; size: number }) => {
      const n = Number(/(\d+)$/.exec(p.node)![1]);
      const e = blkid.find((b) => b.partnum === n)!.export;
      return [
        `/dev/sda${n}`,
        p.start * t.sectorsize,
        p.size * t.sectorsize,
        e.TYPE ?? '',
        e.LABEL ?? '',
        e.UUID ?? '',
      ];
    })
    .sort((a: string[], b: string[]) => a[0]!.localeCompare(b[0]!, 'en', { numeric: true }));
}

describe('SessionHost', () => {
  it('opens a single image and lists what sfdisk and blkid see', () => {
    const r = opened(host().open(['parts.qcow2']));
    expect(r.drives).toEqual(['parts.qcow2']);
    expect(r.notices).toEqual([]);
    expect(r.inventory.disks[0]!.virtualSize).toBe(expected('parts', 'qemu-img')['virtual-size']);
    expect(r.inventory.disks[0]!.partitionTable?.type).toBe('gpt');
    expect(shownPartitions(r)).toEqual(toolPartitions('parts'));
  });

  it.each([[['disk.qcow2', 'base.qcow2']], [['base.qcow2', 'disk.qcow2']]])(
    'finds the top of a backing chain whatever the order (%j)',
    (files) => {
      const r = opened(host().open(files));
      expect(r.top).toBe('disk.qcow2');
      expect(r.drives).toEqual(['disk.qcow2']);
      const chain = expected('disk', 'qemu-img');
      expect(r.inventory.disks[0]!.backingChain.map((f) => path.basename(f))).toEqual([
        chain[0]['backing-filename'],
      ]);
      expect(shownPartitions(r)).toEqual(toolPartitions('disk'));
    },
  );

  it('names the missing backing file', () => {
    const h = host();
    const e = thrown(() => h.open(['disk.qcow2']));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe(expected('disk', 'qemu-img')[0]['backing-filename']);
    expect(e.message).toBe(
      'disk.qcow2 needs its backing file base.qcow2 — drop it together with the image',
    );
    // The host is still usable after the failure.
    expect(opened(h.open(['parts.qcow2'])).drives).toEqual(['parts.qcow2']);
  });

  it('says a text file is probably not a disk image, and what it found', () => {
    const r = opened(host().open(['notes.txt']));
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]!.message).toBe(
      'No partition table or filesystem found in notes.txt — is this a disk image?',
    );
    expect(r.notices[0]!.detected).toContain('format: raw');
    expect(r.notices[0]!.detected).toContain(
      `size: ${fs.statSync(path.join(dir, 'notes.txt')).size} bytes`,
    );
    expect(r.notices[0]!.detected).toContain('its first bytes are text');
  });

  it('asks which to open when several files are tops, then opens the choice', () => {
    const h = host();
    const r = h.open(['notes.txt', 'parts.qcow2']);
    expect(r).toEqual({
      status: 'choose',
      files: ['notes.txt', 'parts.qcow2'],
      candidates: ['notes.txt', 'parts.qcow2'],
    });
    expect(h.session()).toBeUndefined();
    const o = opened(h.open(['notes.txt', 'parts.qcow2'], { drives: ['parts.qcow2'] }));
    expect(o.drives).toEqual(['parts.qcow2']);
    expect(o.notices).toEqual([]);
  });

  it('opens several tops as separate disks when asked', () => {
    const r = opened(
      host().open(['parts.qcow2', 'big.qcow2'], { drives: ['parts.qcow2', 'big.qcow2'] }),
    );
    expect(r.inventory.disks.map((d) => [d.device, d.file])).toEqual([
      ['/dev/sda', 'parts.qcow2'],
      ['/dev/sdb', 'big.qcow2'],
    ]);
  });

  it('refuses a drive that was not supplied and duplicate names', () => {
    const h = host();
    expect(thrown(() => h.open(['parts.qcow2'], { drives: ['other.qcow2'] })).kind).toBe('EINVAL');
    expect(thrown(() => h.open(['parts.qcow2', 'parts.qcow2'])).kind).toBe('EINVAL');
  });

  it('maps a 100 GiB image with a few MiB of reads', () => {
    const h = host();
    const r = opened(h.open(['big.qcow2']));
    expect(r.inventory.disks[0]!.virtualSize).toBe(expected('big', 'qemu-img')['virtual-size']);
    expect(shownPartitions(r)).toEqual(toolPartitions('big'));
    const io = h.ioStats();
    expect(io.bytes).toBeGreaterThan(0);
    expect(io.bytes).toBeLessThan(8 * 1024 * 1024);
    expect(io.bytes).toBeLessThan(fs.statSync(path.join(dir, 'big.qcow2')).size);
  });

  it('forces a format when asked, as qemu-img -f raw sees the file', () => {
    const h = host();
    expect(h.formats()).toEqual(expect.arrayContaining(['qcow2', 'raw']));
    const r = opened(h.open(['parts.qcow2'], { format: 'raw' }));
    expect(r.inventory.disks[0]!.format).toBe('raw');
    expect(r.inventory.disks[0]!.virtualSize).toBe(fs.statSync(path.join(dir, 'parts.qcow2')).size);
    expect(r.notices.map((n) => n.file)).toEqual(['parts.qcow2']);
  });

  it('answers inventory() for the open session and refuses it when closed', () => {
    const h = host();
    const r = opened(h.open(['parts.qcow2']));
    expect(h.inventory().devices).toEqual(r.inventory.devices);
    h.close();
    expect(thrown(() => h.inventory()).kind).toBe('EINVAL');
    expect(h.ioStats()).toEqual({ calls: 0, bytes: 0 });
  });
});

describe('looksLikeText', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('accepts text, including a multi-byte character cut at the end', () => {
    expect(looksLikeText(fs.readFileSync(path.join(dir, 'notes.txt')))).toBe(true);
    expect(looksLikeText(enc('Grüße').subarray(0, 4))).toBe(true);
  });
  it('rejects image heads, binary and empty input', () => {
    expect(looksLikeText(fs.readFileSync(path.join(dir, 'parts.qcow2')).subarray(0, 4096))).toBe(
      false,
    );
    expect(looksLikeText(new Uint8Array(512))).toBe(false);
    expect(looksLikeText(new Uint8Array([0xff, 0xfe, 0x41]))).toBe(false);
    expect(looksLikeText(new Uint8Array())).toBe(false);
  });
});

describe('missing files of multi-file formats are named by their role', () => {
  // fixtures/build-vmdk.sh: qemu-img's twoGbMaxExtentSparse descriptor and its extents.
  const vmdkDir = ensureFixture('vmdk');
  const vmdkHost = () =>
    new SessionHost<string>(
      (names) =>
        new SuppliedFilesEnvironment(
          names.map((n) => {
            const file = new NodeFileSource(path.join(vmdkDir, n));
            return { name: n, source: new PageCache(file), stats: file.stats };
          }),
        ),
    );

  it('a VMDK descriptor without its third extent', () => {
    const extents = fs
      .readFileSync(path.join(vmdkDir, 'split-sparse.vmdk'), 'latin1')
      .match(/"split-sparse-s\d+\.vmdk"/g)!
      .map((s) => s.slice(1, -1));
    expect(extents.length).toBeGreaterThanOrEqual(3);
    const e = thrown(() => vmdkHost().open(['split-sparse.vmdk', ...extents.slice(0, 2)]));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe(extents[2]);
    expect(e.message).toBe(
      `split-sparse.vmdk needs its extent ${extents[2]} — drop it together with the image`,
    );
  });
});
