// rpmdb.sqlite (rpm ≥ 4.16): table Packages(hnum INTEGER PRIMARY KEY, blob BLOB), one
// header blob per installed package. Opened from bytes with sql.js — its WebAssembly loads
// once, asynchronously (`loadRpmSqlite`), after which reading is synchronous like the rest
// of the engine. An -wal file beside the database is replayed first; the image is then
// marked as a rollback-journal database so that SQLite looks for no log of its own.
// Reference: rpm lib/backend/sqlite.c (Packages table); SQLite "Database File Format" §1.3
// (file format version numbers at offsets 18 and 19).

import type { SqlJsStatic } from 'sql.js';
import { EngineError, unsupported } from '../../../errors.js';
import { applyWal } from './sqlite-wal.js';

let sqlJs: SqlJsStatic | undefined;
let loading: Promise<void> | undefined;

/**
 * Load sql.js once. In Node its .wasm is found beside its module; in the browser pass the
 * URL the app serves node_modules/sql.js/dist/sql-wasm.wasm at.
 */
export function loadRpmSqlite(opts: { wasmUrl?: string } = {}): Promise<void> {
  loading ??= import('sql.js')
    .then((m) => (m.default ?? m) as unknown as typeof import('sql.js').default)
    .then((init) => init(opts.wasmUrl ? { locateFile: () => opts.wasmUrl! } : {}))
    .then((s) => {
      sqlJs = s;
    })
    .catch((e: unknown) => {
      loading = undefined;
      throw new EngineError('io', `cannot load sql.js: ${String(e)}`);
    });
  return loading;
}

export function isRpmSqliteLoaded(): boolean {
  return sqlJs !== undefined;
}

export interface PackageBlob {
  hnum: number;
  blob: Uint8Array;
}

/** The header blobs of rpmdb.sqlite, in hnum order, with its -wal applied when given. */
export function readSqlitePackages(db: Uint8Array, wal?: Uint8Array): PackageBlob[] {
  if (!sqlJs)
    throw unsupported('rpmdb.sqlite before loadRpmSqlite()', 'sql.js has not been loaded');
  const image = wal && wal.length ? applyWal(db, wal) : db.slice();
  if (image.length >= 20 && image[18] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  const conn = new sqlJs.Database(image);
  try {
    const stmt = conn.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
    const out: PackageBlob[] = [];
    while (stmt.step()) {
      const [hnum, blob] = stmt.get() as [number, Uint8Array];
      out.push({ hnum, blob });
    }
    stmt.free();
    return out;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('corrupt', `rpmdb.sqlite: ${String(e)}`, {
      structure: 'rpmdb.sqlite',
      offset: 0,
    });
  } finally {
    conn.close();
  }
}
