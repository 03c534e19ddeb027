// The packages pane's data work, kept out of React so it is tested on its own: rows from
// guestfs_application2 records, the columns, a case-insensitive filter, a stable sort by
// any column (numbers as numbers, versions in natural order), counts per package
// database and architecture, and the CSV (RFC 4180) and JSON exports built from the rows
// in memory.

import type { Application2 } from '../engine/inspect/types.js';

export interface PackageRow {
  name: string;
  /** "[epoch:]version[-release]" as the package manager prints it. */
  version: string;
  epoch: number;
  arch: string;
  summary: string;
  /** Source package (deb, rpm) or publisher (Windows). */
  source: string;
  url: string;
  description: string;
  /** The original record, for the JSON export. */
  app: Application2;
}

export type ColumnKey = 'name' | 'version' | 'arch' | 'summary' | 'source' | 'url';

export interface Column {
  key: ColumnKey;
  title: string;
  /** CSS grid track. */
  width: string;
}

export const COLUMNS: readonly Column[] = [
  { key: 'name', title: 'Name', width: 'minmax(10rem, 1.2fr)' },
  { key: 'version', title: 'Version', width: 'minmax(8rem, 1fr)' },
  { key: 'arch', title: 'Arch', width: '6rem' },
  { key: 'summary', title: 'Summary', width: 'minmax(12rem, 2.5fr)' },
  { key: 'source', title: 'Source / publisher', width: 'minmax(8rem, 1fr)' },
  { key: 'url', title: 'URL', width: 'minmax(8rem, 1fr)' },
];

export function fullVersion(a: Application2): string {
  const epoch = a.app2_epoch ? `${a.app2_epoch}:` : '';
  const release = a.app2_release ? `-${a.app2_release}` : '';
  return `${epoch}${a.app2_version}${release}`;
}

export function toRow(a: Application2): PackageRow {
  return {
    name: a.app2_name,
    version: fullVersion(a),
    epoch: a.app2_epoch,
    arch: a.app2_arch,
    summary: a.app2_summary || a.app2_display_name,
    source: a.app2_source_package || a.app2_publisher,
    url: a.app2_url,
    description: a.app2_description,
    app: a,
  };
}

/** Rows whose name, version, summary or source contain every word of `query`. */
export function filterRows(rows: readonly PackageRow[], query: string): PackageRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const hay = `${r.name}\n${r.version}\n${r.summary}\n${r.source}\n${r.arch}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export type SortDir = 'asc' | 'desc';

/** Stable sort by one column; equal keys keep their order, then fall back to the name. */
export function sortRows(rows: readonly PackageRow[], key: ColumnKey, dir: SortDir): PackageRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        sign * collator.compare(a.r[key], b.r[key]) ||
        collator.compare(a.r.name, b.r.name) ||
        a.i - b.i,
    )
    .map((x) => x.r);
}

/** How many packages per architecture, most first. */
export function countsBy(rows: readonly PackageRow[], key: 'arch' | 'source'): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r[key] || '(none)', (m.get(r[key] || '(none)') ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0]));
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header line, CRLF line ends, every guestfs_application2 text field. */
export function toCsv(rows: readonly PackageRow[]): string {
  const head = [
    'name',
    'epoch',
    'version',
    'release',
    'arch',
    'summary',
    'source_package',
    'publisher',
    'url',
    'install_path',
    'description',
  ];
  const lines = [head.join(',')];
  for (const { app: a } of rows) {
    lines.push(
      [
        a.app2_name,
        a.app2_epoch,
        a.app2_version,
        a.app2_release,
        a.app2_arch,
        a.app2_summary,
        a.app2_source_package,
        a.app2_publisher,
        a.app2_url,
        a.app2_install_path,
        a.app2_description,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The records as inspect_list_applications2 returns them, one JSON array. */
export function toJson(rows: readonly PackageRow[]): string {
  return `${JSON.stringify(
    rows.map((r) => r.app),
    null,
    2,
  )}\n`;
}

/** Parse CSV as RFC 4180 defines it (used by the tests to read an export back). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}
