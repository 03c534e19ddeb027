// The packages pane: one root's installed applications in a virtualized table (only the
// rows in view are in the DOM, so tens of thousands stay smooth), a filter, sorting by any
// column, counts per package database and architecture, and CSV / JSON downloads built in
// the page from the rows in memory.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { InspectedOs } from '../worker/inspection.js';
import { OpenError } from './Notices.js';
import { useApplications } from './inspect-queries.js';
import {
  COLUMNS,
  type ColumnKey,
  type PackageRow,
  type SortDir,
  countsBy,
  filterRows,
  sortRows,
  toCsv,
  toJson,
  toRow,
} from './packages.js';

const ROW_HEIGHT = 30;
const GRID = COLUMNS.map((c) => c.width).join(' ');

/** Offer `text` as a file download, from memory. */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function Header({
  sort,
  onSort,
}: {
  sort: { key: ColumnKey; dir: SortDir };
  onSort(key: ColumnKey): void;
}) {
  return (
    <div className="pkg-row pkg-head" role="row" style={{ gridTemplateColumns: GRID }}>
      {COLUMNS.map((c) => (
        <button
          key={c.key}
          type="button"
          role="columnheader"
          className="pkg-sort"
          data-testid={`packages-sort-${c.key}`}
          aria-sort={
            sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'
          }
          onClick={() => onSort(c.key)}
        >
          {c.title}
          {sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </button>
      ))}
    </div>
  );
}

function Rows({ rows }: { rows: PackageRow[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  return (
    <div ref={scroller} className="pkg-scroll" data-testid="packages-scroll" role="rowgroup">
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => {
          const r = rows[item.index]!;
          return (
            <div
              key={item.key}
              role="row"
              className="pkg-row"
              data-testid="package-row"
              data-name={r.name}
              data-index={item.index}
              title={r.description}
              style={{
                gridTemplateColumns: GRID,
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
              }}
            >
              {COLUMNS.map((c) => (
                <span key={c.key} role="cell" className={`pkg-cell pkg-${c.key}`}>
                  {r[c.key]}
                </span>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Counts({ rows, format, root }: { rows: PackageRow[]; format: string; root: string }) {
  return (
    <p className="pkg-counts muted" data-testid="packages-counts">
      <span data-testid="packages-source" data-count={rows.length}>
        {format} database on {root}: {rows.length}
      </span>
      {' · by arch: '}
      {countsBy(rows, 'arch')
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}
    </p>
  );
}

export function PackagesPane({ session, roots }: { session: number; roots: InspectedOs[] }) {
  const [root, setRoot] = useState(roots[0]!.os.root);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: ColumnKey; dir: SortDir }>({ key: 'name', dir: 'asc' });
  const q = useApplications(session, root);
  const all = useMemo(() => (q.data?.applications ?? []).map(toRow), [q.data]);
  const shown = useMemo(
    () => sortRows(filterRows(all, query), sort.key, sort.dir),
    [all, query, sort],
  );
  const os = roots.find((r) => r.os.root === root)!.os;
  const format = os.type === 'windows' ? 'Windows registry' : os.package_format;
  const onSort = (key: ColumnKey) =>
    setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));
  const base = `${os.hostname !== 'unknown' ? os.hostname : os.distro}-packages`;

  return (
    <section className="panel packages" data-testid="packages" aria-label="Installed packages">
      <header className="pkg-toolbar">
        <h2>Installed packages</h2>
        {roots.length > 1 && (
          <select value={root} onChange={(e) => setRoot(e.target.value)} aria-label="Root">
            {roots.map((r) => (
              <option key={r.os.root} value={r.os.root}>
                {r.os.root} ({r.os.distro})
              </option>
            ))}
          </select>
        )}
        <input
          type="search"
          placeholder="Filter by name, version, summary…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="packages-filter"
          aria-label="Filter packages"
        />
        <span className="muted" data-testid="packages-shown" data-count={shown.length}>
          {shown.length} of {all.length}
        </span>
        <button
          type="button"
          className="button"
          disabled={!q.data}
          data-testid="export-csv"
          onClick={() => download(`${base}.csv`, 'text/csv', toCsv(shown))}
        >
          CSV
        </button>
        <button
          type="button"
          className="button"
          disabled={!q.data}
          data-testid="export-json"
          onClick={() => download(`${base}.json`, 'application/json', toJson(shown))}
        >
          JSON
        </button>
      </header>
      {q.isPending && (
        <p role="status" className="status" data-testid="packages-loading">
          Reading the package database…
        </p>
      )}
      {q.error && <OpenError error={q.error} />}
      {q.data && (
        <>
          <Counts rows={all} format={format} root={root} />
          {q.data.warnings.length > 0 && (
            <p className="inline-warning">Not mounted: {q.data.warnings.join('; ')}</p>
          )}
          <div role="table" className="pkg-table" aria-rowcount={shown.length}>
            <Header sort={sort} onSort={onSort} />
            <Rows rows={shown} />
          </div>
        </>
      )}
    </section>
  );
}
