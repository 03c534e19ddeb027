// What the user sees when the input is not what we hoped: a text file (no partition table,
// no filesystem) and an overlay whose backing file was not dropped with it. Each time the
// worker must keep working for the next drop.

import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { expectOnlyOwnStaticFiles } from './audit.js';
import { type Browser, dropFiles, launchBrowser, pickFiles } from './browser.js';
import { expectedRows, qemuImgInfo } from './expected.js';
import { asExpected, poll, shownRows } from './read-ui.js';

const baseUrl = inject('baseUrl');
const fixtures = inject('fixtures');
const fixture = (name: string) => path.join(fixtures, name);
const zone = '[data-testid="drop-zone"]';

let b: Browser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(async () => {
  await b?.close();
});
beforeEach(async () => {
  await b.page.goto(baseUrl);
  await b.page.getByTestId('drop-zone').waitFor();
});

describe('input that is not a usable disk image', () => {
  it('(e) a text file gets a clear message, and the next drop still works', async () => {
    const { page } = b;
    await dropFiles(page, zone, [fixture('notes.txt')]);
    const message = page.getByTestId('not-disk-image-message');
    await poll(() => message.textContent()).toBe(
      'No partition table or filesystem found in notes.txt — is this a disk image?',
    );
    const alert = page.getByRole('alert').filter({ hasText: 'Not a disk image?' });
    expect(await alert.textContent()).toContain('format: raw');
    expect(await alert.textContent()).toContain('its first bytes are text');

    await dropFiles(page, zone, [fixture('parts.qcow2')]);
    await poll(() => page.getByTestId('image-name').textContent()).toBe('parts.qcow2');
    await page.locator('[data-testid="device-row"]').first().waitFor();
    expect(asExpected(await shownRows(page))).toEqual(expectedRows(fixtures, 'parts'));
    expect(await page.getByTestId('not-disk-image').count()).toBe(0);
  });

  it('(f) an overlay without its backing file names the missing file; both together open', async () => {
    const { page } = b;
    await dropFiles(page, zone, [fixture('disk.qcow2')]);
    const error = page.getByTestId('open-error');
    await poll(() => page.getByTestId('open-error-message').textContent()).toBe(
      'disk.qcow2 needs its backing file base.qcow2 — drop it together with the image',
    );
    expect(await error.getAttribute('data-kind')).toBe('ENOENT');
    expect(await error.getAttribute('role')).toBe('alert');

    await dropFiles(page, zone, [fixture('base.qcow2'), fixture('disk.qcow2')]);
    await poll(() => page.getByTestId('image-name').textContent()).toBe('disk.qcow2');
    const chain = qemuImgInfo(fixtures, 'disk');
    expect(await page.getByTestId('backing-chain').textContent()).toBe(
      `disk.qcow2 → ${String(chain['backing-filename'])}`,
    );
    await page.locator('[data-testid="device-row"]').first().waitFor();
    expect(asExpected(await shownRows(page))).toEqual(expectedRows(fixtures, 'disk'));
    expect(await page.getByTestId('open-error').count()).toBe(0);
  });

  it('the picker also takes an overlay and its backing file together', async () => {
    const { page } = b;
    await pickFiles(page, [fixture('disk.qcow2'), fixture('base.qcow2')]);
    await poll(() => page.getByTestId('image-name').textContent()).toBe('disk.qcow2');
    await page.locator('[data-testid="device-row"]').first().waitFor();
    expect(asExpected(await shownRows(page))).toEqual(expectedRows(fixtures, 'disk'));
  });

  it('(d) no request left the page except for the app’s own static files', () => {
    expectOnlyOwnStaticFiles(b.requests, baseUrl);
  });
});
