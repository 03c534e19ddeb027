// A Windows registry hive opened from its bytes: navigation by key node and key value,
// case-insensitive child and value lookup, value data, and a depth-limited walk. Node and
// value handles are absolute file offsets of their cells, as in hivex.
// Reference: M. Suhanov, "Windows registry file format specification" (summary:
// base block → root key node → subkey lists / values list → key values → data).

import { EngineError, corrupt } from '../errors.js';
import { BASE_BLOCK_SIZE, parseBaseBlock, type BaseBlock } from './base-block.js';
import { readValueData } from './big-data.js';
import { scanHiveBins, type CellMap } from './hive-bins.js';
import { NK_STRUCTURE, parseKeyNode, readClassName, type KeyNode } from './key-node.js';
import { parseKeyValue, valueOffsets, type KeyValue } from './key-value.js';
import { subkeyOffsets } from './subkey-list.js';

/**
 * Largest hive file we load. The biggest real hives (COMPONENTS, SOFTWARE on servers with
 * many roles) are a few hundred MiB; anything above this is not a hive we can hold.
 */
export const MAX_HIVE_BYTES = 1024 * 1024 * 1024;
/** Windows refuses to create keys nested deeper than 512 levels. */
export const MAX_KEY_DEPTH = 512;

export type { KeyNode } from './key-node.js';
export type { KeyValue } from './key-value.js';

export class Hive {
  readonly baseBlock: BaseBlock;
  private readonly cells: CellMap;

  private constructor(
    private readonly file: Uint8Array,
    readonly name: string,
  ) {
    if (file.length > MAX_HIVE_BYTES) {
      throw corrupt(
        'regf base block',
        0,
        'file exceeds MAX_HIVE_BYTES',
        `<= ${MAX_HIVE_BYTES}`,
        file.length,
      );
    }
    this.baseBlock = parseBaseBlock(file);
    this.cells = scanHiveBins(file, BASE_BLOCK_SIZE + this.baseBlock.hiveBinsDataSize);
    // The root must be a live key node: fail at open, not on first use.
    this.node(this.baseBlock.rootCell);
  }

  /** Parse a hive file held in memory. Throws `corrupt` naming the record and offset. */
  static open(file: Uint8Array, name = 'hive'): Hive {
    return new Hive(file, name);
  }

  /** The last write did not complete; the hive is read as on disk (logs are not replayed). */
  get dirty(): boolean {
    return this.baseBlock.dirty;
  }

  root(): KeyNode {
    return this.node(this.baseBlock.rootCell);
  }

  /** The key node whose cell starts at absolute offset `offset`. */
  node(offset: number): KeyNode {
    return parseKeyNode(this.cells, offset);
  }

  /** Whether `offset` is the start of an allocated cell holding a record with `signature`
   * ("nk", "vk"): lets API callers' handles be checked without throwing. */
  isRecord(offset: number, signature: 'nk' | 'vk'): boolean {
    if (!Number.isSafeInteger(offset) || !this.cells.isAllocatedCell(offset)) return false;
    const data = this.cells.cellData(offset, 'regf cell');
    return data.length >= 2 && data.equals(0, signature);
  }

  value(offset: number): KeyValue {
    return parseKeyValue(this.cells, offset);
  }

  children(nk: KeyNode): KeyNode[] {
    if (nk.subkeyCount === 0) return [];
    if (nk.subkeyList === undefined) {
      throw corrupt(
        NK_STRUCTURE,
        nk.offset + 4 + 28,
        'key has subkeys but no subkey list',
        'a list offset',
        'none',
      );
    }
    const offsets = subkeyOffsets(this.cells, nk.subkeyList);
    if (offsets.length !== nk.subkeyCount) {
      throw corrupt(
        NK_STRUCTURE,
        nk.offset + 4 + 20,
        'subkey count disagrees with its subkey list',
        nk.subkeyCount,
        offsets.length,
      );
    }
    return offsets.map((o) => this.node(o));
  }

  /** The child named `name` (compared case-insensitively, as Windows does), if any. */
  child(nk: KeyNode, name: string): KeyNode | undefined {
    const want = foldName(name);
    return this.children(nk).find((c) => foldName(c.name) === want);
  }

  /** The parent key, or undefined for the root. */
  parent(nk: KeyNode): KeyNode | undefined {
    if (nk.offset === this.baseBlock.rootCell) return undefined;
    return this.node(nk.parent);
  }

  values(nk: KeyNode): KeyValue[] {
    return valueOffsets(this.cells, nk).map((o) => this.value(o));
  }

  /** The value named `name` (case-insensitive; "" is the default value), if any. */
  getValue(nk: KeyNode, name: string): KeyValue | undefined {
    const want = foldName(name);
    return this.values(nk).find((v) => foldName(v.name) === want);
  }

  data(vk: KeyValue): Uint8Array {
    return readValueData(this.cells, this.file, vk);
  }

  className(nk: KeyNode): string {
    return readClassName(this.cells, nk);
  }

  /** The key at a backslash-separated path below the root ("Microsoft\\Windows NT"). */
  lookup(path: string | string[]): KeyNode | undefined {
    const parts = typeof path === 'string' ? path.split('\\').filter((p) => p !== '') : path;
    if (parts.length > MAX_KEY_DEPTH) {
      throw new EngineError('EINVAL', `registry path deeper than ${MAX_KEY_DEPTH} keys`);
    }
    let nk: KeyNode | undefined = this.root();
    for (const part of parts) {
      nk = this.child(nk, part);
      if (!nk) return undefined;
    }
    return nk;
  }

  /**
   * Visit every key depth-first (parents before children, children in list order) with
   * its path below the root. A cycle or a tree deeper than MAX_KEY_DEPTH is `corrupt`.
   */
  walk(visit: (nk: KeyNode, path: string[]) => void): void {
    const go = (nk: KeyNode, path: string[]): void => {
      if (path.length > MAX_KEY_DEPTH) {
        throw corrupt(
          NK_STRUCTURE,
          nk.offset,
          'keys nested deeper than MAX_KEY_DEPTH (a cycle?)',
          `<= ${MAX_KEY_DEPTH}`,
          path.length,
        );
      }
      visit(nk, path);
      for (const c of this.children(nk)) go(c, [...path, c.name]);
    };
    go(this.root(), []);
  }
}

/** Windows compares key and value names case-insensitively (by upcasing). */
export function foldName(name: string): string {
  return name.toUpperCase();
}
