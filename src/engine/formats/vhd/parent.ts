// Finding and opening the parent of a differencing VHD. The dynamic header names the parent
// three ways: platform locators (W2ru relative and W2ku absolute Windows paths, MacX file
// URLs), and the parent's unicode file name. Windows paths mean nothing on another host or
// in a browser, so each is also tried by its last component beside the child (the browser
// resolver matches supplied files by that name anyway). The parent found must carry the
// unique id the child recorded: another disk of the same name would give wrong bytes.
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0, "Parent Locator
// Entry", "Parent Unique ID"; also shared by the VHDX driver for its parent locator paths.

import { EngineError, corrupt } from '../../errors.js';
import { baseName } from '../map-resolver.js';
import type { DiskImage, OpenContext } from '../types.js';
import { DYNAMIC_HEADER_STRUCTURE, type VhdDynamicHeader } from './dynamic-header.js';

/** Locator platforms in the order Windows tries them: relative first. */
const PLATFORM_ORDER = ['W2ru', 'W2ku', 'Wi2r', 'Wi2k', 'MacX'];

/** The parent's paths as the image gives them, most specific first. */
export function parentPaths(h: VhdDynamicHeader): string[] {
  const out: string[] = [];
  for (const platform of PLATFORM_ORDER) {
    for (const l of h.locators) if (l.platform === platform && l.path) out.push(l.path);
  }
  if (h.parentUnicodeName) out.push(h.parentUnicodeName);
  return out;
}

/** The name reported as the backing file: the first locator path, else the unicode name. */
export function parentReference(h: VhdDynamicHeader): string {
  return parentPaths(h)[0] ?? '';
}

/**
 * Host references to try for the given paths: a Windows path without a drive letter as a
 * relative POSIX path (".\\base.vhd" → "./base.vhd"), any other path as it is, and every
 * path's last component (beside the child).
 */
export function referenceCandidates(paths: readonly string[]): string[] {
  const out: string[] = [];
  const add = (p: string): void => {
    if (p !== '' && !out.includes(p)) out.push(p);
  };
  for (const p of paths) {
    const windows = p.includes('\\') || /^[A-Za-z]:/.test(p);
    if (!windows) add(p);
    else if (!/^[A-Za-z]:/.test(p) && !p.startsWith('\\\\')) add(p.replace(/\\/g, '/'));
  }
  for (const p of paths) add(baseName(p));
  return out;
}

/** Resolve the first candidate that exists; undefined when none does. */
export function resolveFirst(
  ctx: OpenContext,
  candidates: readonly string[],
): ReturnType<OpenContext['resolver']['resolve']> {
  for (const c of candidates) {
    const r = ctx.resolver.resolve(c, ctx.key);
    if (r) return r;
  }
  return undefined;
}

export function openVhdParent(h: VhdDynamicHeader, ctx: OpenContext, name: string): DiskImage {
  const paths = parentPaths(h);
  const ref = paths[0] ?? '';
  const found = resolveFirst(ctx, referenceCandidates(paths));
  if (!found) {
    throw new EngineError('ENOENT', `${name} needs parent disk ${ref || '(unnamed)'}`, {
      path: ref,
    });
  }
  const parent = ctx.openImage(found.source, found.key, [...ctx.chain, ctx.key], 'vpc');
  if (parent.info.uuid !== h.parentUniqueId) {
    throw corrupt(
      DYNAMIC_HEADER_STRUCTURE,
      h.offset + 40,
      `parent ${found.name} is not the disk this one was made from`,
      h.parentUniqueId,
      String(parent.info.uuid),
    );
  }
  return parent;
}
