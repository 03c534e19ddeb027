// The VHDX parent locator metadata item: a locator type GUID and UTF-16LE key/value pairs —
// parent_linkage (the parent's DataWriteGuid when the child was made), parent_linkage2,
// relative_path, volume_path, absolute_win32_path — and opening the parent through them.
// Reference: [MS-VHDX] §2.6.2.6 Parent Locator, §2.6.2.6.1 VHDX Parent Locator (keys, and
// "the parent's DataWriteGuid must match parent_linkage or parent_linkage2").

import { EngineError, corrupt } from '../../errors.js';
import type { Bytes } from '../../io/bytes.js';
import { referenceCandidates, resolveFirst } from '../vhd/parent.js';
import type { DiskImage, OpenContext } from '../types.js';

export const PARENT_LOCATOR_GUID = 'a8d35f2d-b30b-454d-abf7-d3d84834ab0c';
export const LOCATOR_STRUCTURE = 'VHDX parent locator';
const VHDX_LOCATOR_TYPE = 'b04aefb7-d19e-4a81-b789-25b8e9445913';

export interface VhdxParentLocator {
  readonly entries: ReadonlyMap<string, string>;
  /** Absolute offset of the item, for errors. */
  readonly offset: number;
}

export function parseParentLocator(b: Bytes): VhdxParentLocator {
  const type = b.guid(0);
  if (type !== VHDX_LOCATOR_TYPE) {
    throw corrupt(LOCATOR_STRUCTURE, b.base, 'unknown locator type', VHDX_LOCATOR_TYPE, type);
  }
  const count = b.u16le(18);
  // Each entry takes 12 bytes after the 20-byte header: the item's length bounds the count.
  if (20 + count * 12 > b.length) {
    throw corrupt(
      LOCATOR_STRUCTURE,
      b.base + 18,
      'more entries than the item holds',
      `<= ${Math.floor((b.length - 20) / 12)}`,
      count,
    );
  }
  const entries = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const at = 20 + i * 12;
    const key = text(b, b.u32le(at), b.u16le(at + 8), at);
    const value = text(b, b.u32le(at + 4), b.u16le(at + 10), at);
    entries.set(key, value);
  }
  return { entries, offset: b.base };
}

/** Key and value offsets are relative to the item; Bytes bounds-checks them. */
function text(b: Bytes, offset: number, length: number, entryAt: number): string {
  if (offset + length > b.length) {
    throw corrupt(
      LOCATOR_STRUCTURE,
      b.base + entryAt,
      'key or value outside the item',
      `<= ${b.length}`,
      offset + length,
    );
  }
  return b.utf16le(offset, length);
}

/** The parent's paths in the order [MS-VHDX] says to try them. */
export function locatorPaths(l: VhdxParentLocator): string[] {
  const out: string[] = [];
  for (const key of ['relative_path', 'volume_path', 'absolute_win32_path']) {
    const v = l.entries.get(key);
    if (v) out.push(v);
  }
  return out;
}

/** "{83BA…}" → "83ba…" */
function bareGuid(s: string | undefined): string | undefined {
  return s?.replace(/[{}]/g, '').toLowerCase();
}

/**
 * Open the parent named by the locator. Missing → ENOENT naming the locator's path; a
 * parent whose DataWriteGuid matches neither linkage was written after the child was made
 * (its blocks no longer hold what the child assumes), which is refused.
 */
export function openVhdxParent(l: VhdxParentLocator, ctx: OpenContext, name: string): DiskImage {
  const paths = locatorPaths(l);
  const ref = paths[0] ?? '';
  const found = resolveFirst(ctx, referenceCandidates(paths));
  if (!found) {
    throw new EngineError(
      'ENOENT',
      `${name}: failed to open parent disk with locator ${ref || '(no path)'}`,
      { path: ref },
    );
  }
  const parent = ctx.openImage(found.source, found.key, [...ctx.chain, ctx.key], 'vhdx');
  const linkage = [
    bareGuid(l.entries.get('parent_linkage')),
    bareGuid(l.entries.get('parent_linkage2')),
  ];
  const actual = String(parent.info.dataWriteGuid);
  if (!linkage.includes(actual)) {
    throw corrupt(
      LOCATOR_STRUCTURE,
      l.offset,
      `parent ${found.name} changed since this disk was made (DataWriteGuid)`,
      linkage[0] ?? '',
      actual,
    );
  }
  return parent;
}
