// A file of any size as a hex dump: 16 bytes per row, offset column, ASCII column. Only
// the rows on screen are drawn and only the HEX_PAGE pages under them are read. Past
// MAX_SCROLL_PX of rows (a multi-GiB file would need a scroll height no browser allows)
// the scrollbar is scaled: its position maps proportionally onto the rows, and "Go to
// offset" lands exactly on the row asked for.

import { useQueries } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { InlineError } from './InlineError.js';
import { rangeQuery } from './fs-queries.js';

export const BYTES_PER_ROW = 16;
export const ROW_PX = 18;
/** Rows in view. */
export const VIEW_ROWS = 24;
/** Bytes per read: 4,096 rows, a page of scrolling. */
export const HEX_PAGE = 64 * 1024;
/** Scroll height beyond which the scrollbar is scaled (browsers cap element heights
 * between ~17 and ~33 million pixels). */
export const MAX_SCROLL_PX = 8_000_000;

interface Props {
  session: number;
  device: string;
  path: string;
  size: number;
}

/** The geometry of the scroller for a file of `rows` rows. */
export function hexGeometry(rows: number) {
  const contentPx = rows * ROW_PX;
  const spacerPx = Math.max(Math.min(contentPx, MAX_SCROLL_PX), VIEW_ROWS * ROW_PX);
  const maxFirst = Math.max(0, rows - VIEW_ROWS);
  const maxScroll = Math.max(0, spacerPx - VIEW_ROWS * ROW_PX);
  const exact = contentPx <= MAX_SCROLL_PX;
  return {
    spacerPx,
    exact,
    /** First row shown at scroll position `top`. */
    firstRow: (top: number) =>
      exact
        ? Math.min(maxFirst, Math.floor(top / ROW_PX))
        : maxScroll === 0
          ? 0
          : Math.min(maxFirst, Math.round((top / maxScroll) * maxFirst)),
    /** Scroll position that shows `row` first. */
    topFor: (row: number) =>
      exact ? row * ROW_PX : maxFirst === 0 ? 0 : Math.round((row / maxFirst) * maxScroll),
  };
}

export function parseOffset(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

function HexRow({
  offset,
  bytes,
  width,
  mark,
}: {
  offset: number;
  bytes: Uint8Array | undefined;
  width: number;
  mark: number | undefined;
}) {
  const cells: string[] = [];
  let ascii = '';
  if (bytes) {
    for (let i = 0; i < bytes.length; i++) {
      cells.push(hex2(bytes[i]!));
      ascii += printable(bytes[i]!);
    }
  }
  const marked = mark !== undefined && mark >= offset && mark < offset + BYTES_PER_ROW;
  return (
    <div
      className="hex-row mono"
      data-testid="hex-row"
      data-offset={offset}
      data-marked={marked || undefined}
    >
      <span className="hex-off">{offset.toString(16).padStart(width, '0')}</span>
      <span className="hex-bytes" data-testid="hex-bytes">
        {bytes
          ? cells.map((c, i) => (
              <span key={i} className={marked && offset + i === mark ? 'hex-mark' : undefined}>
                {c}
                {i === 7 ? '  ' : i < cells.length - 1 ? ' ' : ''}
              </span>
            ))
          : '…'}
      </span>
      <span className="hex-ascii" data-testid="hex-ascii">
        {ascii}
      </span>
    </div>
  );
}

/** The HEX_PAGE pages under rows [first, last) and the bytes of any row among them. */
function useRowBytes(p: Props, first: number, last: number) {
  const firstPage = Math.floor((first * BYTES_PER_ROW) / HEX_PAGE);
  const lastPage = Math.floor((Math.max(first, last - 1) * BYTES_PER_ROW) / HEX_PAGE);
  const ids = p.size === 0 ? [] : [firstPage, ...(lastPage > firstPage ? [lastPage] : [])];
  const pages = useQueries({
    queries: ids.map((id) =>
      rangeQuery(
        p.session,
        p.device,
        p.path,
        id * HEX_PAGE,
        Math.min(HEX_PAGE, p.size - id * HEX_PAGE),
      ),
    ),
  });
  const rowBytes = (row: number) => {
    const off = row * BYTES_PER_ROW;
    const k = ids.indexOf(Math.floor(off / HEX_PAGE));
    const data = pages[k]?.data;
    if (!data) return undefined;
    const at = off - ids[k]! * HEX_PAGE;
    return data.subarray(at, Math.min(at + BYTES_PER_ROW, data.length));
  };
  return { rowBytes, error: pages.find((q) => q.error)?.error };
}

function GotoForm({ onGoto, scaledRows }: { onGoto(offset: number): void; scaledRows?: number }) {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const off = parseOffset(text);
    if (off !== undefined) onGoto(off);
  };
  return (
    <form className="hex-goto" onSubmit={submit}>
      <label>
        Go to offset{' '}
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="0x1000 or 4096"
          aria-label="Go to offset"
          data-testid="hex-goto"
        />
      </label>{' '}
      <button type="submit" className="button small">
        Go
      </button>
      {scaledRows !== undefined && (
        <span className="muted">
          {' '}
          · scrollbar scaled: {scaledRows.toLocaleString('en-US')} rows
        </span>
      )}
    </form>
  );
}

export function HexView(p: Props) {
  const rows = Math.ceil(p.size / BYTES_PER_ROW);
  const geo = hexGeometry(rows);
  const scroller = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  // After "go to", the row asked for, pinned to the scroll position that was set for it
  // (on a scaled scrollbar one pixel spans many rows).
  const [anchor, setAnchor] = useState<{ row: number; top: number }>();
  const [mark, setMark] = useState<number>();
  const first = anchor && anchor.top === top ? anchor.row : geo.firstRow(top);
  const shift = geo.exact ? top - first * ROW_PX : 0;
  const last = Math.min(rows, first + VIEW_ROWS + 1);
  const { rowBytes, error } = useRowBytes(p, first, last);
  const width = Math.max(8, Math.max(0, p.size - 1).toString(16).length);
  const goto = (off: number) => {
    const el = scroller.current;
    if (off >= p.size || !el) return;
    const row = Math.min(Math.floor(off / BYTES_PER_ROW), Math.max(0, rows - VIEW_ROWS));
    el.scrollTop = geo.topFor(row);
    setTop(el.scrollTop);
    setAnchor({ row, top: el.scrollTop });
    setMark(off);
  };
  return (
    <div className="hex-view" data-testid="hex-view" data-rows={rows} data-first-row={first}>
      <GotoForm onGoto={goto} scaledRows={geo.exact ? undefined : rows} />
      {error && <InlineError error={error} />}
      <div
        ref={scroller}
        className="hex-scroll"
        data-testid="hex-scroll"
        style={{ height: VIEW_ROWS * ROW_PX }}
        onScroll={(e) => setTop(e.currentTarget.scrollTop)}
        tabIndex={0}
      >
        <div style={{ height: geo.spacerPx, position: 'relative' }}>
          <div className="hex-window" style={{ height: VIEW_ROWS * ROW_PX }}>
            <div style={{ transform: `translateY(${-shift}px)` }}>
              {Array.from({ length: last - first }, (_, i) => first + i).map((row) => (
                <HexRow
                  key={row}
                  offset={row * BYTES_PER_ROW}
                  bytes={rowBytes(row)}
                  width={width}
                  mark={mark}
                />
              ))}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
