// A 100 GiB qcow2 (GPT, FAT32 ESP, ~99.5 GiB ext4; ~13 MiB of file) opened in the browser
// reads only what it needs: the page's own I/O statistics must say a few MiB at most.

import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { expectOnlyOwnStaticFiles } from './audit.js';
import { type Browser, dropFiles, launchBrowser } from './browser.js';
import { expectedRows, qemuImgInfo } from './expected.js';
import { asExpected, parseHumanSize, poll, shownRows } from './read-ui.js';

const baseUrl = inject('baseUrl');
const fixtures = inject('fixtures');
const big = path.join(fixtures, 'big.qcow2');
/** The budget the engine must stay under for listing partitions and filesystems. */
const READ_BUDGET = 8 * 1024 * 1024;

let b: Browser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(async () => {
  await b?.close();
});

it('(c) a 100 GiB image is mapped after reading only a few MiB', async () => {
  const { page } = b;
  await page.goto(baseUrl);
  await dropFiles(page, '[data-testid="drop-zone"]', [big]);
  await poll(() => page.getByTestId('image-name').textContent()).toBe('big.qcow2');
  await page.locator('[data-testid="device-row"]').first().waitFor();

  const info = qemuImgInfo(fixtures, 'big');
  const virtual = page.getByTestId('virtual-size').locator('[data-bytes]');
  expect(Number(await virtual.getAttribute('data-bytes'))).toBe(info['virtual-size']);
  expect(info['virtual-size']).toBe(100 * 1024 ** 3);

  const rows = await shownRows(page);
  expect(asExpected(rows)).toEqual(expectedRows(fixtures, 'big'));

  // The statistics as displayed: the human text and the exact count behind it.
  const shown = page.getByTestId('io-bytes');
  await poll(async () => Number(await shown.getAttribute('data-bytes'))).toBeGreaterThan(0);
  const bytes = Number(await shown.getAttribute('data-bytes'));
  const text = (await shown.textContent()) ?? '';
  expect(bytes).toBeLessThan(READ_BUDGET);
  expect(parseHumanSize(text)).toBeLessThan(READ_BUDGET);
  expect(Math.abs(parseHumanSize(text) - bytes) / bytes).toBeLessThan(0.01);
  expect(Number(await page.getByTestId('io-calls').textContent())).toBeGreaterThan(0);
  expect(await page.getByTestId('io-stats').textContent()).toMatch(
    /^Read .* of 100 GiB in \d+ read calls?/,
  );
  console.log(
    `big.qcow2: read ${bytes} bytes (${text}) in ${await page.getByTestId('io-calls').textContent()} calls`,
  );

  expectOnlyOwnStaticFiles(b.requests, baseUrl);
  expect(b.errors).toEqual([]);
});
