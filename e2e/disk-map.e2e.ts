// The disk map of a GPT image (ext4, FAT16, swap, a 32 KiB BIOS-boot partition and free
// space), opened by a trusted drag-and-drop and by the file picker; values compared with
// sfdisk --json and blkid -p recorded by fixtures/build-e2e.sh.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { expectOnlyOwnStaticFiles } from './audit.js';
import { type Browser, dropFiles, launchBrowser, pickFiles } from './browser.js';
import { expectedFreeGaps, expectedRows, qemuImgInfo } from './expected.js';
import { asExpected, diskSelector, poll, shownRows, shownSegments } from './read-ui.js';

const baseUrl = inject('baseUrl');
const fixtures = inject('fixtures');
const distDir = inject('distDir');
const parts = path.join(fixtures, 'parts.qcow2');
const notes = path.join(fixtures, 'notes.txt');

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

/** The table and bar of /dev/sda against the independent tools' view of fixture NAME. */
async function expectDiskMatches(name: string): Promise<void> {
  const { page } = b;
  await page.locator(`${diskSelector()} [data-testid="device-row"]`).first().waitFor();
  const want = expectedRows(fixtures, name);
  expect(asExpected(await shownRows(page))).toEqual(want);
  const virtual = Number(qemuImgInfo(fixtures, name)['virtual-size']);
  const segs = await shownSegments(page);
  const free = segs.filter((s) => s.kind === 'free').map(({ start, size }) => ({ start, size }));
  expect(free).toEqual(expectedFreeGaps(fixtures, name, virtual));
  const devices = segs
    .filter((s) => s.kind === 'partition')
    .map((s) => s.device)
    .sort();
  expect(devices).toEqual(want.map((w) => w.device).sort());
}

describe('GPT image with ext4, vfat and swap', () => {
  it('(a) a trusted drop shows the partitions as sfdisk and blkid see them', async () => {
    const { page } = b;
    await dropFiles(page, '[data-testid="drop-zone"]', [parts]);
    await poll(() => page.getByTestId('image-name').textContent()).toBe('parts.qcow2');
    await expectDiskMatches('parts');
    const info = qemuImgInfo(fixtures, 'parts');
    expect(await page.getByTestId('image-format').textContent()).toBe(info.format);
    const virtual = page.getByTestId('virtual-size').locator('[data-bytes]');
    expect(Number(await virtual.getAttribute('data-bytes'))).toBe(info['virtual-size']);
    expect(
      await page.getByTestId('fact-clusterSize').locator('[data-bytes]').getAttribute('data-bytes'),
    ).toBe(String(info['cluster-size']));
    expect(b.errors).toEqual([]);
  });

  it('(b) the file picker opens the same image with the same map', async () => {
    const { page } = b;
    await pickFiles(page, [parts]);
    await poll(() => page.getByTestId('image-name').textContent()).toBe('parts.qcow2');
    await expectDiskMatches('parts');
  });

  it('draws tiny partitions visibly and sizes the others in proportion', async () => {
    const { page } = b;
    await dropFiles(page, '[data-testid="drop-zone"]', [parts]);
    await page.locator(`${diskSelector()} [data-testid="segment"]`).first().waitFor();
    const segs = await shownSegments(page);
    const width = (dev: string) => segs.find((s) => s.device === dev)!.width;
    const rows = expectedRows(fixtures, 'parts');
    const tiny = rows.reduce((a, r) => (r.size < a.size ? r : a));
    expect(tiny.size).toBeLessThan(64 * 1024); // the 32 KiB BIOS-boot partition
    expect(width(tiny.device)).toBeGreaterThanOrEqual(8);
    const ext4 = rows.find((r) => r.fs === 'ext4')!;
    const swap = rows.find((r) => r.fs === 'swap')!;
    expect(width(ext4.device) / width(swap.device)).toBeGreaterThan(2);
  });

  it('shows the details of a partition on hover and on click', async () => {
    const { page } = b;
    await dropFiles(page, '[data-testid="drop-zone"]', [parts]);
    const ext4 = expectedRows(fixtures, 'parts').find((r) => r.fs === 'ext4')!;
    const seg = page.locator(
      `${diskSelector()} [data-testid="segment"][data-device="${ext4.device}"]`,
    );
    await seg.hover();
    const details = page.getByTestId('segment-details');
    await poll(() => details.textContent()).toContain(ext4.uuid);
    await seg.click();
    expect(await seg.getAttribute('aria-pressed')).toBe('true');
    await page.mouse.move(0, 0);
    expect(await details.textContent()).toContain(ext4.label);
  });

  it('asks which image to open when two unrelated files are dropped', async () => {
    const { page } = b;
    await dropFiles(page, '[data-testid="drop-zone"]', [parts, notes]);
    const choose = page.getByRole('group', { name: 'Choose the image to open' });
    await choose.waitFor();
    await choose.getByRole('button', { name: 'Open parts.qcow2' }).click();
    await poll(() => page.getByTestId('image-name').textContent()).toBe('parts.qcow2');
    await expectDiskMatches('parts');
  });

  it('opens the demo image, or says it is not there', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Try the demo image' }).click();
    if (fs.existsSync(path.join(distDir, 'demo', 'demo.qcow2'))) {
      await poll(() => page.getByTestId('image-name').textContent()).toBe('demo.qcow2');
      await page.locator(`${diskSelector()} [data-testid="device-row"]`).first().waitFor();
    } else {
      await poll(() => page.getByTestId('demo-error').textContent()).toContain('not available');
    }
  });

  it('forces the image format chosen in the selector', async () => {
    const { page } = b;
    await page.getByLabel('Image format').selectOption('raw');
    await dropFiles(page, '[data-testid="drop-zone"]', [parts]);
    await poll(() => page.getByTestId('image-format').textContent()).toBe('raw');
    // Read as raw, the qcow2 file is its own virtual disk: its size, as qemu-img -f raw says.
    const virtual = page.getByTestId('virtual-size').locator('[data-bytes]');
    expect(Number(await virtual.getAttribute('data-bytes'))).toBe(fs.statSync(parts).size);
    await page.getByTestId('not-disk-image').waitFor();
  });

  it('(d) no request left the page except for the app’s own static files', () => {
    expect(b.requests.length).toBeGreaterThan(0);
    expectOnlyOwnStaticFiles(b.requests, baseUrl);
  });
});
