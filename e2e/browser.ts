// Debian's Chromium under playwright-core, launched as ../shared/BROWSER.md describes
// (never a downloaded browser), plus the two ways a user gives the page files: a trusted
// drag-and-drop through CDP (the file is read from disk, not copied into the page) and the
// file picker. Every request the browser makes is recorded for the network audit.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface RecordedRequest {
  url: string;
  method: string;
  /** Playwright's resource type: document, script, fetch, … */
  type: string;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  requests: RecordedRequest[];
  /** Messages the page or its worker logged as errors (shown when a test fails). */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'guestkit-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  // Context-wide, so requests from the dedicated worker are seen too.
  context.on('request', (r) => {
    requests.push({ url: r.url(), method: r.method(), type: r.resourceType() });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    requests,
    errors,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Drop files on an element the way a user does: CDP Input.dispatchDragEvent sends trusted
 * dragEnter, dragOver and drop events carrying the files' paths at the element's centre.
 * (Playwright's locator.drop copies the bytes into the page and fails past 2 GiB.)
 */
export async function dropFiles(page: Page, selector: string, files: string[]): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: files.map((f) => path.resolve(f)), dragOperationsMask: 1 };
  try {
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
    }
  } finally {
    await cdp.detach();
  }
}

/** Choose files with the page's file picker (the input, as the label button opens it). */
export async function pickFiles(page: Page, files: string[]): Promise<void> {
  const input = page.getByTestId('file-input');
  await input.setInputFiles([]);
  await input.setInputFiles(files.map((f) => path.resolve(f)));
}
