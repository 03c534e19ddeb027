// The directory listing: a virtualized table (only the rows on screen exist in the DOM)
// over pages the worker sorts and serves, so a 100,000-entry directory scrolls as smoothly
// as a ten-entry one and a jump to the end asks for one page. Columns as `ls -l` shows
// them: name, size, mode, owner uid:gid, modification time (UTC), symlink target.

import { useVirtualizer } from '@tanstack/react-virtual';
import { type RefObject, useRef, useState } from 'react';
import type { FsEntry, SortKey, SortOrder } from '../../worker/fs-api.js';
import { Bytes } from '../Bytes.js';
import { InlineError } from './InlineError.js';
import { LIST_PAGE, useDirPages } from './fs-queries.js';
import { childPath, navigate } from './location.js';
import { formatTime, modeString } from './modes.js';

export const ROW_HEIGHT = 28;

interface Props {
  session: number;
  device: string;
  /** The directory listed (as navigated; the worker follows links). */
  dir: string;
  /** Name of the entry open in the viewer, highlighted. */
  selected?: string;
  onDownloadDir(): void;
}

function Row({
  entry,
  dir,
  device,
  selected,
}: {
  entry: FsEntry;
  dir: string;
  device: string;
  selected: boolean;
}) {
  const open = () => navigate({ device, path: childPath(dir, entry.name) });
  return (
    <div
      role="row"
      className={`fs-row${selected ? ' selected' : ''}`}
      data-testid="fs-row"
      data-name={entry.name}
      data-type={entry.type}
      aria-selected={selected}
      onClick={open}
    >
      <span role="cell" className={`c-name t-${entry.type}`}>
        <button
          type="button"
          className="link-button"
          onClick={(e) => (e.stopPropagation(), open())}
        >
          {entry.name}
        </button>
      </span>
      <span role="cell" className="c-size" data-col="size">
        {entry.type === 'file' ? <Bytes value={entry.size} /> : ''}
      </span>
      <span role="cell" className="c-mode mono" data-col="mode">
        {entry.error ? '??????????' : modeString(entry.mode)}
      </span>
      <span role="cell" className="c-owner mono" data-col="owner">
        {entry.error ? '' : `${entry.uid}:${entry.gid}`}
      </span>
      <span role="cell" className="c-mtime mono" data-col="mtime">
        {entry.error ? '' : formatTime(entry.mtimeSec)}
      </span>
      <span role="cell" className="c-target" data-col="target" title={entry.error ?? entry.target}>
        {entry.error ? (
          <span className="inline-error">{entry.error}</span>
        ) : entry.target !== undefined ? (
          `→ ${entry.target}`
        ) : (
          ''
        )}
      </span>
    </div>
  );
}

function SortHeader({
  label,
  k,
  sort,
  onSort,
}: {
  label: string;
  k: SortKey;
  sort: SortOrder;
  onSort(s: SortOrder): void;
}) {
  const active = sort.key === k;
  const aria = active ? (sort.descending ? 'descending' : 'ascending') : 'none';
  return (
    <span role="columnheader" aria-sort={aria} className={`c-${k === 'name' ? 'name' : k}`}>
      <button
        type="button"
        className="sort-button"
        data-testid={`sort-${k}`}
        onClick={() => onSort({ key: k, descending: active ? !sort.descending : false })}
      >
        {label}
        {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </span>
  );
}

/** The pages that hold the rows [first, last]. */
function pagesFor(first: number, last: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(first / LIST_PAGE); p <= Math.floor(last / LIST_PAGE); p++) out.push(p);
  return out;
}

function HeaderRow({ sort, onSort }: { sort: SortOrder; onSort(s: SortOrder): void }) {
  return (
    <div role="row" className="fs-row fs-head">
      <SortHeader label="Name" k="name" sort={sort} onSort={onSort} />
      <SortHeader label="Size" k="size" sort={sort} onSort={onSort} />
      <span role="columnheader" className="c-mode">
        Mode
      </span>
      <span role="columnheader" className="c-owner">
        Owner
      </span>
      <SortHeader label="Modified (UTC)" k="mtime" sort={sort} onSort={onSort} />
      <span role="columnheader" className="c-target">
        Link target
      </span>
    </div>
  );
}

/** The virtualizer over the directory's rows and the pages under the visible ones. */
function useListing(p: Props, sort: SortOrder, scroller: RefObject<HTMLDivElement | null>) {
  // Page 0 is always asked for: it gives the total the virtualizer needs.
  const [firstPage] = useDirPages(p.session, p.device, p.dir, sort, [0]);
  const total = firstPage?.data?.total ?? 0;
  const v = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = v.getVirtualItems();
  const wanted = items.length > 0 ? pagesFor(items[0]!.index, items[items.length - 1]!.index) : [0];
  const pages = useDirPages(p.session, p.device, p.dir, sort, wanted);
  const rowAt = (i: number): FsEntry | undefined => {
    const k = wanted.indexOf(Math.floor(i / LIST_PAGE));
    return pages[k]?.data?.entries[i % LIST_PAGE];
  };
  const error = pages.find((q) => q.error)?.error ?? firstPage?.error;
  return { v, items, rowAt, total, error, pending: firstPage?.isPending ?? true };
}

export function DirListing(p: Props) {
  const [sort, setSort] = useState<SortOrder>({ key: 'name' });
  const scroller = useRef<HTMLDivElement>(null);
  const { v, items, rowAt, total, error, pending } = useListing(p, sort, scroller);
  const onSort = (next: SortOrder) => {
    setSort(next);
    if (scroller.current) scroller.current.scrollTop = 0; // a new order starts at its top
  };
  return (
    <section
      className="fs-listing"
      aria-label={`Contents of ${p.dir}`}
      data-testid="fs-listing"
      data-dir={p.dir}
    >
      <div className="fs-toolbar">
        <span className="muted" data-testid="fs-count">
          {pending
            ? 'Reading the directory…'
            : `${total.toLocaleString('en-US')} ${total === 1 ? 'entry' : 'entries'}`}
        </span>
        <button
          type="button"
          className="button small"
          data-testid="download-dir"
          onClick={p.onDownloadDir}
        >
          Download folder as .tar
        </button>
      </div>
      {error ? (
        <InlineError error={error} testId="listing-error" />
      ) : (
        <div role="table" className="fs-table" aria-rowcount={total}>
          <HeaderRow sort={sort} onSort={onSort} />
          <div ref={scroller} className="fs-scroll" data-testid="fs-scroll" role="rowgroup">
            <div style={{ height: v.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const e = rowAt(item.index);
                return (
                  <div
                    key={item.key}
                    className="fs-vrow"
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                    aria-rowindex={item.index + 2}
                  >
                    {e ? (
                      <Row
                        entry={e}
                        dir={p.dir}
                        device={p.device}
                        selected={e.name === p.selected}
                      />
                    ) : (
                      <div role="row" className="fs-row placeholder" data-testid="fs-row-pending">
                        <span role="cell" className="muted">
                          …
                        </span>
                      </div>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
