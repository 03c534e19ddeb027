// The part of sql.js (1.17) the rpmdb.sqlite reader uses. sql.js ships no types of its own.
declare module 'sql.js' {
  export interface SqlJsStatement {
    step(): boolean;
    get(): unknown[];
    free(): boolean;
  }
  export interface SqlJsDatabase {
    prepare(sql: string): SqlJsStatement;
    close(): void;
  }
  export interface SqlJsStatic {
    Database: new (data?: Uint8Array) => SqlJsDatabase;
  }
  export interface SqlJsConfig {
    locateFile?: (file: string) => string;
  }
  export default function initSqlJs(config?: SqlJsConfig): Promise<SqlJsStatic>;
}
