// Encrypted volumes in the browser: the stacks fixture's LUKS-on-LVM and LVM-on-LUKS
// qcow2 images dropped through CDP; the locked container is shown with its lock, a wrong
// passphrase is refused inline as 'locked', the right one unlocks, and the filesystem
// inside appears with the label and UUID blkid -p recorded and reads the file the
// fixture wrote. Expected values come from fixtures/build-stacks.sh (keys.json,
// blkid/*.json and the "this is LABEL\n" it wrote in every ext4), never from guestkit.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ensureFixture } from '../tests/helpers/fixtures.js';
import { type Browser, dropFiles, launchBrowser } from './browser.js';
import { poll } from './read-ui.js';

const baseUrl = inject('baseUrl');
let stacks: string;
let b: Browser;

interface KeyFacts {
  device: string;
  passphrase: string;
  uuid: string;
}

const expected = (rel: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(stacks, 'expected', rel), 'utf8'));
const keys = (stack: string) => (expected('keys.json') as Record<string, KeyFacts>)[stack]!;
const blkid = (fsName: string) => expected(`blkid/${fsName}.json`) as Record<string, string>;

beforeAll(async () => {
  stacks = ensureFixture('stacks');
  b = await launchBrowser();
});
afterAll(async () => {
  await b?.close();
});
beforeEach(async () => {
  await b.page.goto(baseUrl);
  await b.page.getByTestId('drop-zone').waitFor();
});

/** A row of the device or volume tables by its device name. */
const rowOf = (page: Page, device: string) =>
  page.locator(
    `[data-testid="device-row"][data-device="${device}"], [data-testid="volume-row"][data-device="${device}"]`,
  );
const cell = (page: Page, device: string, col: string) =>
  rowOf(page, device).locator(`[data-col="${col}"]`);

async function open(page: Page, image: string): Promise<void> {
  await dropFiles(page, '[data-testid="drop-zone"]', [path.join(stacks, image)]);
  await poll(() => page.getByTestId('image-name').textContent()).toBe(image);
}

async function tryPassphrase(page: Page, device: string, passphrase: string): Promise<void> {
  const row = rowOf(page, device);
  if ((await row.getByTestId('unlock-form').count()) === 0)
    await row.getByTestId('unlock-button').click();
  await row.getByTestId('unlock-passphrase').fill(passphrase);
  await row.getByTestId('unlock-submit').click();
}

/** Nothing the page keeps or shows outside the form holds the passphrase. */
async function expectNotLeaked(page: Page, secret: string): Promise<void> {
  expect(page.url()).not.toContain(encodeURIComponent(secret));
  const stored = await page.evaluate(() =>
    JSON.stringify([{ ...localStorage }, { ...sessionStorage }]),
  );
  expect(stored).not.toContain(secret);
  expect(await page.locator('body').innerText()).not.toContain(secret);
  expect(b.errors.join('\n')).not.toContain(secret);
}

/** Opens `device`'s tab in the filesystem pane and reads /hello.txt from it. */
async function readHello(page: Page, device: string): Promise<string | null> {
  await page.locator(`[data-testid="fs-tab"][data-device="${device}"]`).click();
  await poll(() => page.getByTestId('fs-listing').getAttribute('data-dir')).toBe('/');
  await page.locator('[data-testid="fs-row"][data-name="hello.txt"]').click();
  await poll(() => page.getByTestId('file-view').getAttribute('data-path')).toBe('/hello.txt');
  await page.getByTestId('text-view').waitFor();
  return page.getByTestId('text-view').textContent();
}

describe('LUKS on LVM (an encrypted LV)', () => {
  it('shows the lock, refuses a wrong passphrase inline, unlocks and reads the inner ext4', async () => {
    const { page } = b;
    const key = keys('luks-on-lvm');
    const inner = blkid('inner');
    await open(page, 'luks-on-lvm.qcow2');
    const badge = rowOf(page, key.device).getByTestId('lock-badge');
    await poll(() => badge.getAttribute('data-state')).toBe('locked');
    expect(await cell(page, key.device, 'uuid').textContent()).toBe(key.uuid);

    const wrong = 'certainly not the passphrase';
    await tryPassphrase(page, key.device, wrong);
    const error = rowOf(page, key.device).getByTestId('unlock-error');
    await poll(() => error.getAttribute('data-kind')).toBe('locked');
    await expectNotLeaked(page, wrong);

    await tryPassphrase(page, key.device, key.passphrase);
    const mapped = `/dev/mapper/luks-${key.uuid}`;
    await poll(() => cell(page, mapped, 'uuid').textContent()).toBe(inner.UUID);
    expect(await cell(page, mapped, 'label').textContent()).toBe(inner.LABEL);
    expect(await cell(page, mapped, 'fs').textContent()).toBe(inner.TYPE);
    expect(await badge.getAttribute('data-state')).toBe('unlocked');
    await expectNotLeaked(page, key.passphrase);

    expect(await readHello(page, mapped)).toBe(`this is ${inner.LABEL}\n`);
    await expectNotLeaked(page, key.passphrase);
    expect(b.errors).toEqual([]);
  });
});

describe('LVM on LUKS (an encrypted partition holding a VG)', () => {
  it('after unlocking, the LVs inside appear with blkid values and their files read', async () => {
    const { page } = b;
    const key = keys('lvm-on-luks');
    const root = blkid('root');
    const data = blkid('data');
    await open(page, 'lvm-on-luks.qcow2');
    const badge = rowOf(page, key.device).getByTestId('lock-badge');
    await poll(() => badge.getAttribute('data-state')).toBe('locked');
    expect(await rowOf(page, '/dev/vgcrypt/root').count()).toBe(0);

    await tryPassphrase(page, key.device, key.passphrase);
    await poll(() => cell(page, '/dev/vgcrypt/root', 'uuid').textContent()).toBe(root.UUID);
    expect(await cell(page, '/dev/vgcrypt/root', 'label').textContent()).toBe(root.LABEL);
    expect(await cell(page, '/dev/vgcrypt/data', 'uuid').textContent()).toBe(data.UUID);
    expect(await cell(page, '/dev/vgcrypt/data', 'label').textContent()).toBe(data.LABEL);
    expect(await readHello(page, '/dev/vgcrypt/root')).toBe(`this is ${root.LABEL}\n`);
    await expectNotLeaked(page, key.passphrase);
    expect(b.errors).toEqual([]);
  });
});
