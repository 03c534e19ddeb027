// The worker session's inspect() and applications() in Node, over the Debian fixture read
// with NodeFileSource behind the worker's page cache: the identity against the guest's own
// files and virt-inspector's answers, the package list against the dpkg status, and the
// session's main handle left untouched (inspection runs on a handle of its own).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { PageCache } from '../../src/engine/io/page-cache.js';
import {
  PAGE_SIZE,
  SuppliedFilesEnvironment,
  fileCacheBytes,
} from '../../src/worker/browser-env.js';
import { SessionHost } from '../../src/worker/session.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { sfdiskPartitions } from './helpers.js';

const dir = ensureFixture('debian');
const src = (p: string) => fs.readFileSync(path.join(dir, 'source', p), 'utf8');

function env(names: string[]): SuppliedFilesEnvironment {
  return new SuppliedFilesEnvironment(
    names.map((n) => {
      const file = new NodeFileSource(path.join(dir, n));
      const source = new PageCache(file, { pageSize: PAGE_SIZE, maxBytes: fileCacheBytes(1) });
      return { name: n, source, stats: file.stats };
    }),
  );
}

describe('worker session: inspect and applications', () => {
  it('reports the identity card and the package list of the Debian guest', async () => {
    const host = new SessionHost<string>(env);
    const opened = host.open(['disk.qcow2']);
    expect(opened.status).toBe('opened');
    const view = await host.inspect();
    const root = `/dev/sda${sfdiskPartitions(path.join(dir, 'expected', 'partitions.json')).findIndex((p) => p.name === 'root') + 1}`;
    expect(view.roots.map((r) => r.os.root)).toEqual([root]);
    const r = view.roots[0]!;
    expect(r.os.distro).toBe('debian');
    expect(r.os.hostname).toBe(src('etc/hostname').trim());
    expect(r.os.product_name).toBe(src('etc/debian_version').split('\n')[0]);
    expect(r.report.mountpoints.map((m) => m.mountpoint)).toEqual(['/', '/boot']);
    expect(view.notes).toEqual([]);
    // The icon libguestfs found: the same bytes, base64 in its XML.
    const xml = path.join(dir, 'expected', 'virt-inspector.xml');
    if (fs.existsSync(xml)) {
      const b64 = /<icon>([^<]*)<\/icon>/
        .exec(fs.readFileSync(xml, 'utf8'))![1]!
        .replace(/\s/g, '');
      expect(Buffer.from(r.icon!).toString('base64')).toBe(b64);
    }

    const apps = await host.applications(root);
    const installed = src('var/lib/dpkg/status').match(/^Status: install ok installed$/gm)!;
    expect(apps.applications.length).toBe(installed.length);
    // Inspection mounted and unmounted on its own handle: the session's is untouched.
    expect(host.inventory().devices.length).toBeGreaterThan(0);
    host.close();
  });

  it('answers inspect() once per session and forgets it on close', async () => {
    const host = new SessionHost<string>(env);
    host.open(['disk.qcow2']);
    const a = await host.inspect();
    expect(await host.inspect()).toBe(a);
    host.close();
    await expect(host.inspect()).rejects.toThrow(/no image is open/);
  });
});
