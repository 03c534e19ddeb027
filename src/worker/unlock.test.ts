// The worker session's unlock over the stacks fixture (fixtures/build-stacks.sh) read with
// NodeFileSource: a wrong passphrase is 'locked' and never echoed, the right one shows the
// filesystem inside with blkid's label and UUID, and the filesystem pane's private mount
// (a fresh handle, the open replayed) reads the file the fixture wrote.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../engine/errors.js';
import { NodeFileSource } from '../engine/io/node-source.js';
import { ensureFixture } from '../../tests/helpers/fixtures.js';
import { SuppliedFilesEnvironment } from './browser-env.js';
import { SessionHost } from './session.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('stacks');
});

function nodeEnvironment(names: string[]): SuppliedFilesEnvironment {
  return new SuppliedFilesEnvironment(
    names.map((n) => {
      const file = new NodeFileSource(path.join(dir, n));
      return { name: n, source: file, stats: file.stats };
    }),
  );
}

const json = (rel: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', rel), 'utf8')) as Record<string, unknown>;

interface KeyFacts {
  device: string;
  passphrase: string;
  uuid: string;
}

function opened(image: string) {
  const host = new SessionHost<string>(nodeEnvironment);
  const r = host.open([image]);
  if (r.status !== 'opened') throw new Error(`${image} did not open`);
  return { host, session: r.session, inventory: r.inventory };
}

describe('unlock (LUKS on LVM)', () => {
  it('refuses a wrong passphrase as locked, without the passphrase in the error', async () => {
    const key = json('keys.json')['luks-on-lvm'] as KeyFacts;
    const { host, session } = opened('luks-on-lvm.qcow2');
    const wrong = 'not the stack passphrase';
    const e: unknown = await host.unlock(session, key.device, wrong).catch((x: unknown) => x);
    expect(isEngineError(e) && e.kind).toBe('locked');
    expect(JSON.stringify({ ...(e as object), message: (e as Error).message })).not.toContain(
      wrong,
    );
    host.close();
  });

  it('the right passphrase shows the inner ext4 as blkid sees it; its pane reads hello.txt', async () => {
    const key = json('keys.json')['luks-on-lvm'] as KeyFacts;
    const inner = json('blkid/inner.json') as Record<string, string>;
    const { host, session, inventory } = opened('luks-on-lvm.qcow2');
    const container = inventory.devices.find((d) => d.name === key.device);
    expect(container?.fs?.type).toBe('crypto_LUKS');
    expect(container?.fs?.uuid).toBe(key.uuid);
    const fractions: number[] = [];
    const inv = await host.unlock(session, key.device, key.passphrase, (p) =>
      fractions.push(p.fraction),
    );
    expect(fractions.length).toBeGreaterThan(0);
    const mapped = inv.devices.find((d) => d.kind === 'luks' && d.members?.includes(key.device));
    expect(mapped?.name).toBe(`/dev/mapper/luks-${key.uuid}`);
    expect(mapped?.fs).toMatchObject({ type: inner.TYPE, label: inner.LABEL, uuid: inner.UUID });
    const browser = host.fsBrowser(session);
    const list = await browser.filesystems();
    expect(list.find((f) => f.device === mapped!.name)).toMatchObject({
      label: inner.LABEL,
      browsable: true,
    });
    const bytes = await browser.readRange(mapped!.name, '/hello.txt', 0, 100);
    expect(new TextDecoder().decode(bytes)).toBe(`this is ${inner.LABEL}\n`);
    host.close();
  });
});

describe('unlock (LVM on LUKS)', () => {
  it('activates the VG inside: its LVs appear with blkid values, readable in the pane', async () => {
    const key = json('keys.json')['lvm-on-luks'] as KeyFacts;
    const root = json('blkid/root.json') as Record<string, string>;
    const { host, session, inventory } = opened('lvm-on-luks.qcow2');
    expect(inventory.devices.some((d) => d.name === '/dev/vgcrypt/root')).toBe(false);
    const inv = await host.unlock(session, key.device, key.passphrase);
    const lv = inv.devices.find((d) => d.name === '/dev/vgcrypt/root');
    expect(lv?.fs).toMatchObject({ type: root.TYPE, label: root.LABEL, uuid: root.UUID });
    const bytes = await host.fsBrowser(session).readRange(lv!.name, '/hello.txt', 0, 100);
    expect(new TextDecoder().decode(bytes)).toBe(`this is ${root.LABEL}\n`);
    host.close();
  });
});
