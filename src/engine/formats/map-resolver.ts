// The browser's FileResolver: the user supplied a set of files (a drop of several files, or
// a picker with multiple selection); an image's reference to another file (backing file,
// external data file, VMDK extent) matches the supplied file with the same base name, since
// the browser exposes no directories. No Node imports: this ships in the worker bundle.
// Reference: DESIGN.md "Layers"; formats/types.ts FileResolver.

import type { BlockSource } from '../io/block-source.js';
import type { FileResolver } from './types.js';

/** The last component of a path written by any OS ("../base.qcow2", "C:\\vm\\base.vhd"). */
export function baseName(reference: string): string {
  const parts = reference.split(/[\\/]/);
  return parts[parts.length - 1] ?? reference;
}

export class MapResolver implements FileResolver {
  private readonly files = new Map<string, BlockSource>();

  constructor(files: Iterable<readonly [string, BlockSource]> = []) {
    for (const [name, source] of files) this.add(name, source);
  }

  add(name: string, source: BlockSource): void {
    this.files.set(baseName(name), source);
  }

  /** The supplied file for `name`, keyed like resolve() keys it (for opening the top image). */
  open(name: string): { key: string; name: string; source: BlockSource } | undefined {
    return this.resolve(name);
  }

  /** Undefined when the user did not supply it: the caller names the missing file. */
  resolve(reference: string): { key: string; name: string; source: BlockSource } | undefined {
    const key = baseName(reference);
    const source = this.files.get(key);
    return source ? { key, name: key, source } : undefined;
  }
}
