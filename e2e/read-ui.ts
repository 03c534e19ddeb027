// Reading what the page shows, through its accessible markup and test ids.

import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Wait for what the page shows: opening an image takes the worker a moment. */
export function poll<T>(fn: () => Promise<T> | T) {
  return expect.poll(fn, { timeout: 30_000, interval: 100 });
}

export interface ShownRow {
  device: string;
  start: number;
  size: number;
  typeId: string;
  fs: string;
  label: string;
  uuid: string;
  name: string;
}

export function diskSelector(disk = '/dev/sda'): string {
  return `[data-testid="disk"][data-device="${disk}"]`;
}

/** The device table of one disk, exactly as rendered (sizes from their data-bytes). */
export async function shownRows(page: Page, disk = '/dev/sda'): Promise<ShownRow[]> {
  return page.$$eval(`${diskSelector(disk)} [data-testid="device-row"]`, (rows) =>
    rows.map((r) => {
      const cell = (c: string) => r.querySelector(`[data-col="${c}"]`);
      const text = (c: string) => (cell(c)?.textContent ?? '').trim();
      const bytes = (c: string) =>
        Number(cell(c)?.querySelector('[data-bytes]')?.getAttribute('data-bytes'));
      return {
        device: r.getAttribute('data-device') ?? '',
        start: bytes('start'),
        size: bytes('size'),
        typeId: cell('type')?.getAttribute('data-type-id') ?? '',
        fs: text('fs'),
        label: text('label'),
        uuid: text('uuid'),
        name: text('name'),
      };
    }),
  );
}

/** Shown rows in the shape of expected.ts's ExpectedRow (MBR type bytes as numbers). */
export function asExpected(rows: ShownRow[]) {
  return rows.map(({ typeId, ...r }) => ({
    ...r,
    type: /^0x[0-9a-f]+$/i.test(typeId) ? parseInt(typeId, 16) : typeId,
  }));
}

export interface ShownSegment {
  kind: string;
  device: string | null;
  start: number;
  size: number;
  width: number;
}

export async function shownSegments(page: Page, disk = '/dev/sda'): Promise<ShownSegment[]> {
  return page.$$eval(`${diskSelector(disk)} [data-testid="segment"]`, (segs) =>
    segs.map((s) => ({
      kind: s.getAttribute('data-kind') ?? '',
      device: s.getAttribute('data-device'),
      start: Number(s.getAttribute('data-start')),
      size: Number(s.getAttribute('data-size')),
      width: s.getBoundingClientRect().width,
    })),
  );
}

/** "12.4 MiB" → bytes (the unit sizes humanSize prints). */
export function parseHumanSize(text: string): number {
  const m = /^([\d.]+)\s*(B|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const exp = ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(m[2]!);
  return Number(m[1]) * 1024 ** exp;
}
