// The hex view's scroll geometry: exact pixel rows for small files, a scaled scrollbar for
// files whose rows would not fit in a browser's element height, with both ends reachable
// and "go to" landing on its row; offsets typed in hex or decimal.

import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, ROW_PX, VIEW_ROWS, hexGeometry, parseOffset } from './HexView.js';

describe('hexGeometry', () => {
  it('maps pixels to rows one to one while the rows fit', () => {
    const g = hexGeometry(1000);
    expect(g.exact).toBe(true);
    expect(g.spacerPx).toBe(1000 * ROW_PX);
    expect(g.firstRow(0)).toBe(0);
    expect(g.firstRow(ROW_PX * 10 + 5)).toBe(10);
    expect(g.topFor(10)).toBe(ROW_PX * 10);
    expect(g.firstRow(g.spacerPx)).toBe(1000 - VIEW_ROWS); // never past the last screen
  });

  it('scales a 3 GiB file onto MAX_SCROLL_PX with both ends reachable', () => {
    const rows = Math.ceil((3 * 2 ** 30 + 1234) / 16);
    const g = hexGeometry(rows);
    expect(g.exact).toBe(false);
    expect(g.spacerPx).toBe(MAX_SCROLL_PX);
    const maxScroll = MAX_SCROLL_PX - VIEW_ROWS * ROW_PX;
    expect(g.firstRow(0)).toBe(0);
    expect(g.firstRow(maxScroll)).toBe(rows - VIEW_ROWS);
    let last = -1;
    for (let top = 0; top <= maxScroll; top += 100_003) {
      const r = g.firstRow(top);
      expect(r).toBeGreaterThan(last);
      last = r;
    }
    // topFor lands within one pixel's worth of rows of the row asked for.
    const perPx = (rows - VIEW_ROWS) / maxScroll;
    for (const row of [1, 67108864, rows - VIEW_ROWS - 1])
      expect(Math.abs(g.firstRow(g.topFor(row)) - row)).toBeLessThanOrEqual(Math.ceil(perPx));
  });

  it('keeps a one-screen spacer for tiny and empty files', () => {
    expect(hexGeometry(0).spacerPx).toBe(VIEW_ROWS * ROW_PX);
    expect(hexGeometry(3).firstRow(500)).toBe(0);
  });
});

describe('parseOffset', () => {
  it('reads hex with 0x and decimal, refuses the rest', () => {
    expect(parseOffset('0x54321')).toBe(0x54321);
    expect(parseOffset(' 4096 ')).toBe(4096);
    expect(parseOffset('0XFF')).toBe(255);
    for (const bad of ['', '-1', '12abc', '0x', '1e3', String(2 ** 60)])
      expect(parseOffset(bad)).toBeUndefined();
  });
});
