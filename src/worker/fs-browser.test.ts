// The filesystem pane's worker API in Node, over fixtures/build-e2e-fs.sh's image read with
// NodeFileSource: filesystems against blkid -p, listings against the source tree (lstat of
// the files mke2fs -d copied, the generator's rule for big/), reads and downloads against
// sha256sum, the tar download against GNU tar's member list, and the refusals.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors.js';
import { NodeFileSource } from '../engine/io/node-source.js';
import { PageCache } from '../engine/io/page-cache.js';
import { ensureFixture } from '../../tests/helpers/fixtures.js';
import { Jobs } from './blob-assembly.js';
import { PAGE_SIZE, SuppliedFilesEnvironment, fileCacheBytes } from './browser-env.js';
import { type FsApi, fsApi } from './fs-api.js';
import { type OpenedImage, SessionHost } from './session.js';

let dir: string;
let e2eDir: string;
beforeAll(() => {
  dir = ensureFixture('e2e-fs');
  e2eDir = ensureFixture('e2e');
});

function environment(files: string[]): SuppliedFilesEnvironment {
  return new SuppliedFilesEnvironment(
    files.map((f) => {
      const file = new NodeFileSource(f);
      const source = new PageCache(file, {
        pageSize: PAGE_SIZE,
        maxBytes: fileCacheBytes(files.length),
      });
      return { name: path.basename(f), source, stats: file.stats };
    }),
  );
}

interface Opened {
  host: SessionHost<string>;
  api: FsApi;
  session: number;
}

function open(file: string): Opened {
  const host = new SessionHost<string>(environment);
  const r = host.open([file]) as OpenedImage;
  if (r.status !== 'opened') throw new Error('not opened');
  return { host, api: fsApi((s) => host.fsBrowser(s)), session: r.session };
}

const fsImage = () => path.join(dir, 'fs.qcow2');
const expected = <T>(name: string): T =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', name), 'utf8')) as T;
const files = () => expected<Record<string, { size: number; sha256: string }>>('files.json');
const src = (p: string) => path.join(dir, 'src', 'ext4', p);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function blobSha256(blob: Blob): Promise<string> {
  const h = createHash('sha256');
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    h.update(value);
  }
  return h.digest('hex');
}

describe('filesystems', () => {
  it('lists what blkid -p sees as filesystems, each browsable', async () => {
    const { api, session } = open(fsImage());
    const blkid = expected<{ partnum: number; export: Record<string, string> }[]>('fs.blkid.json');
    const want = blkid
      .filter((b) => b.export.USAGE === 'filesystem')
      .map((b) => ({
        device: `/dev/sda${b.partnum}`,
        type: b.export.TYPE,
        label: b.export.LABEL,
        uuid: b.export.UUID,
      }));
    const got = await api.filesystems(session);
    expect(got.map(({ device, type, label, uuid }) => ({ device, type, label, uuid }))).toEqual(
      want,
    );
    expect(got.every((f) => f.browsable)).toBe(true);
  });

  it('says why a vfat filesystem cannot be browsed and leaves swap out', async () => {
    const { api, session } = open(path.join(e2eDir, 'parts.qcow2'));
    const blkid = JSON.parse(
      fs.readFileSync(path.join(e2eDir, 'expected', 'parts.blkid.json'), 'utf8'),
    ) as { partnum: number; export: Record<string, string> }[];
    const got = await api.filesystems(session);
    const fsParts = blkid.filter((b) => b.export.USAGE === 'filesystem');
    expect(got.map((f) => [f.device, f.type])).toEqual(
      fsParts.map((b) => [`/dev/sda${b.partnum}`, b.export.TYPE]),
    );
    const vfat = got.find((f) => f.type === 'vfat')!;
    expect(vfat.browsable).toBe(false);
    expect(vfat.reason).toBe('guestkit cannot read vfat filesystems yet');
    expect(got.find((f) => f.type === 'ext4')!.browsable).toBe(true);
  });
});

describe('listDir', () => {
  it('pages the 100,000-entry directory in name order, first and last as ls | sort', async () => {
    const { api, session } = open(fsImage());
    const big = expected<{ count: number; first: string; last: string }>('big.json');
    const first = await api.listDir(session, '/dev/sda2', '/big', { offset: 0, limit: 3 });
    expect(first.total).toBe(big.count);
    expect(first.entries[0]!.name).toBe(big.first);
    const last = await api.listDir(session, '/dev/sda2', '/big', {
      offset: big.count - 1,
      limit: 10,
    });
    expect(last.entries.map((e) => e.name)).toEqual([big.last]);
    // The generator's rule: every 1,000th file holds (1 + i/1000) copies of "NAME\n".
    const e = (await api.listDir(session, '/dev/sda2', '/big', { offset: 5000, limit: 1 }))
      .entries[0]!;
    expect([e.name, e.size, e.type]).toEqual(['entry-005000', 13 * 6, 'file']);
  });

  it('sorts by size and by mtime in the worker', async () => {
    const { api, session } = open(fsImage());
    const bySize = await api.listDir(session, '/dev/sda2', '/big', {
      limit: 2,
      sort: { key: 'size', descending: true },
    });
    expect(bySize.entries.map((e) => [e.name, e.size])).toEqual([
      ['entry-099000', 13 * 100],
      ['entry-098000', 13 * 99],
    ]);
    const root = await api.listDir(session, '/dev/sda2', '/', { sort: { key: 'mtime' } });
    const times = root.entries.map((e) => e.mtimeSec * 1e9 + e.mtimeNsec);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('shows each entry as lstat shows the source file mke2fs -d copied', async () => {
    const { api, session } = open(fsImage());
    for (const d of ['/', '/tardir', '/links', '/etc', '/docs']) {
      const page = await api.listDir(session, '/dev/sda2', d);
      // Written through the loop mount (big/, dense/, sparse/) or by mke2fs (lost+found).
      const extra = d === '/' ? ['big', 'dense', 'lost+found', 'sparse'] : [];
      expect(page.entries.map((e) => e.name)).toEqual([...fs.readdirSync(src(d)), ...extra].sort());
      for (const e of page.entries) {
        if (extra.includes(e.name)) continue;
        const p = src(`${d}/${e.name}`);
        const st = fs.lstatSync(p);
        expect([e.name, e.mode, e.uid, e.gid]).toEqual([e.name, st.mode, st.uid, st.gid]);
        expect(e.mtimeSec).toBe(1700000000);
        if (st.isFile()) expect(e.size).toBe(st.size);
        if (st.isSymbolicLink()) expect(e.target).toBe(fs.readlinkSync(p));
      }
    }
  });

  it('lists the NTFS root as the source tree copied through ntfs-3g', async () => {
    const { api, session } = open(fsImage());
    const want = fs.readFileSync(path.join(dir, 'expected', 'ntfs-root.txt'), 'utf8');
    const page = await api.listDir(session, '/dev/sda3', '/');
    expect(page.entries.map((e) => e.name).sort()).toEqual(want.trim().split('\n').sort());
    const sub = await api.subdirs(session, '/dev/sda3', '/');
    expect(sub).toEqual(['Documents', 'Pictures']);
  });

  it('gives the tree its subdirectories and follows a link to a directory', async () => {
    const { api, session } = open(fsImage());
    expect(await api.subdirs(session, '/dev/sda2', '/tardir')).toEqual(
      fs
        .readdirSync(src('tardir'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort(),
    );
    const viaLink = await api.listDir(session, '/dev/sda2', '/links/to-etc');
    expect(viaLink.path).toBe('/etc');
    expect(viaLink.entries.map((e) => e.name)).toEqual(fs.readdirSync(src('etc')).sort());
  });
});

describe('stat and readRange', () => {
  it('stats a link and what it resolves to', async () => {
    const { api, session } = open(fsImage());
    const s = await api.stat(session, '/dev/sda2', '/links/to-hello');
    expect(s.entry.type).toBe('symlink');
    expect(s.entry.target).toBe(fs.readlinkSync(src('links/to-hello')));
    expect(s.resolved?.path).toBe('/hello.txt');
    expect(s.resolved?.entry.size).toBe(files()['/hello.txt']!.size);
  });

  it('reads a range of a binary file as the source has it', async () => {
    const { api, session } = open(fsImage());
    const source = fs.readFileSync(src('bin/blob.bin'));
    const bytes = await api.readRange(session, '/dev/sda2', '/bin/blob.bin', 0x54321, 4096);
    expect(Buffer.from(bytes).equals(source.subarray(0x54321, 0x54321 + 4096))).toBe(true);
    const tail = await api.readRange(session, '/dev/sda2', '/bin/blob.bin', source.length - 5, 64);
    expect(Buffer.from(tail).equals(source.subarray(source.length - 5))).toBe(true);
  });

  it('refuses what cannot be answered, with the errno kinds', async () => {
    const { api, session } = open(fsImage());
    const kind = async (p: Promise<unknown>) => ((await rejection(p)) as EngineError).kind;
    expect(await kind(api.listDir(session, '/dev/sda2', '/hello.txt'))).toBe('ENOTDIR');
    expect(await kind(api.stat(session, '/dev/sda2', '/no/such'))).toBe('ENOENT');
    expect(await kind(api.readRange(session, '/dev/sda2', '/etc', 0, 10))).toBe('EISDIR');
    expect(await kind(api.readRange(session, '/dev/sda2', '/hello.txt', 0, 2 ** 30))).toBe(
      'EINVAL',
    );
    expect(await kind(api.listDir(session, '/dev/sda9', '/'))).toBe('ENOENT');
    expect(await kind(api.listDir(session, '/dev/sda1', '/'))).toBe('EINVAL');
  });

  it('refuses a call for a session that is no longer open', async () => {
    const o = open(fsImage());
    o.host.open([fsImage()]);
    const e = (await rejection(o.api.listDir(o.session, '/dev/sda2', '/'))) as EngineError;
    expect(e).toBeInstanceOf(EngineError);
    expect(e.kind).toBe('EINVAL');
  });
});

describe('a damaged filesystem', () => {
  it('reports the corrupt superblock field with its structure and offset', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsui-corrupt-'));
    try {
      const raw = path.join(tmp, 'fs.raw');
      execFileSync('qemu-img', ['convert', '-O', 'raw', fsImage(), raw]);
      const sda2 = 4096 * 512; // sfdisk: partition 2 starts at sector 4096
      const fd = fs.openSync(raw, 'r+');
      // One field of the superblock (s_inodes_count, offset 0x0) changed: with metadata_csum
      // the superblock's crc32c (s_checksum, at 0x3FC) no longer matches.
      fs.writeSync(fd, Buffer.from([1, 0, 0, 0]), 0, 4, sda2 + 1024);
      fs.closeSync(fd);
      const { api, session } = open(raw);
      const e = (await rejection(api.listDir(session, '/dev/sda2', '/'))) as EngineError;
      expect([e.kind, e.structure, e.offset]).toEqual([
        'corrupt',
        'ext4 superblock checksum',
        1024 + 0x3fc,
      ]);
      // The other filesystem of the disk is still browsable.
      expect((await api.listDir(session, '/dev/sda3', '/')).total).toBeGreaterThan(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('downloads', () => {
  it('downloads a file as a Blob with the bytes sha256sum hashed', async () => {
    const { api, session } = open(fsImage());
    const progress: number[] = [];
    const r = await api.download(session, '/dev/sda2', '/bin/blob.bin', 'j1', (p) =>
      progress.push(p.done),
    );
    const want = files()['/bin/blob.bin']!;
    expect([r.name, r.size, r.blob.size]).toEqual(['blob.bin', want.size, want.size]);
    expect(await blobSha256(r.blob)).toBe(want.sha256);
    expect(progress.at(-1)).toBe(want.size);
  });

  it('downloads the 3 GiB sparse file with its holes as shared zero parts', async () => {
    const { api, session } = open(fsImage());
    const r = await api.download(session, '/dev/sda2', '/sparse/huge.bin', 'big');
    const want = files()['/sparse/huge.bin']!;
    expect(r.blob.size).toBe(want.size);
    expect(await blobSha256(r.blob)).toBe(want.sha256);
  }, 120_000);

  it('downloads a directory as a tar with the members GNU tar lists for the source', async () => {
    const { api, session } = open(fsImage());
    const r = await api.downloadTar(session, '/dev/sda2', '/tardir', 'tar');
    expect(r.name).toBe('tardir.tar');
    const bytes = Buffer.from(await r.blob.arrayBuffer());
    const members = execFileSync('tar', ['-tf', '-'], { input: bytes })
      .toString()
      .trim()
      .split('\n');
    const want = fs.readFileSync(path.join(dir, 'expected', 'tardir.txt'), 'utf8').trim();
    expect(members.sort()).toEqual(want.split('\n').sort());
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsui-tar-'));
    try {
      execFileSync('tar', ['-xf', '-', '-C', tmp], { input: bytes });
      const two = fs.readFileSync(path.join(tmp, 'two.bin'));
      expect(createHash('sha256').update(two).digest('hex')).toBe(
        files()['/tardir/two.bin']!.sha256,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('stops a download when cancelled, and when the image closes', async () => {
    const o = open(fsImage());
    const jobs = new Jobs();
    const api = fsApi((s) => o.host.fsBrowser(s), { jobs });
    const p = api.download(o.session, '/dev/sda2', '/sparse/huge.bin', 'c1', () =>
      api.cancelJob('c1'),
    );
    expect((await rejection(p)).name).toBe('AbortError');
    expect(api.cancelJob('c1')).toBe(false);
    const q = api.download(o.session, '/dev/sda2', '/sparse/huge.bin', 'c2', () => o.host.close());
    expect((await rejection(q)).name).toBe('AbortError');
  });

  it('refuses to download a directory as a file', async () => {
    const { api, session } = open(fsImage());
    const e = (await rejection(api.download(session, '/dev/sda2', '/etc', 'd'))) as EngineError;
    expect(e.kind).toBe('EISDIR');
  });
});
