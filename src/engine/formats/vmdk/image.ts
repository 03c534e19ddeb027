// A VMDK virtual disk: its extents laid end to end, over an optional parent (a delta disk's
// unallocated grains read from the parent; zeroed grains and everything else do not). A read
// is split at extent boundaries; each piece's runs go to a RunAssembler over that extent's
// file, so contiguous grains cost one read and holes cost none.
// Reference: VMware "Virtual Disk Format 1.1", "Delta Links" (a redo log reads through to
// its parent where it has no grain); QEMU block/vmdk.c vmdk_co_preadv.

import { EngineError } from '../../errors.js';
import { MemorySource, checkRange } from '../../io/block-source.js';
import { RunAssembler } from '../run-assembler.js';
import type { DiskImage, FormatInfo } from '../types.js';
import { type Extent, RUN_BYTES, RUN_DATA, RUN_PARENT } from './extent.js';

export interface VmdkParts {
  readonly name: string;
  readonly extents: readonly Extent[];
  readonly info: FormatInfo;
  /** parentFileNameHint, when the disk is a delta. */
  readonly backingFile: string | undefined;
  /** The opened parent, unless the context skipped backing files. */
  readonly backing: DiskImage | undefined;
}

/** Runs of extents without a file (ZERO) read from nowhere. */
const NO_FILE = new MemorySource(new Uint8Array(0), 'no file');

export class VmdkImage implements DiskImage {
  readonly format = 'vmdk';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;
  readonly backing: DiskImage | undefined;
  readonly backingFile: string | undefined;
  readonly extents: readonly Extent[];
  /** Virtual start of each extent, plus the end: starts[i] <= offset < starts[i + 1]. */
  private readonly starts: number[];

  constructor(parts: VmdkParts) {
    this.name = parts.name;
    this.extents = parts.extents;
    this.info = parts.info;
    this.backing = parts.backing;
    this.backingFile = parts.backingFile;
    this.starts = [0];
    for (const e of parts.extents) this.starts.push(this.starts[this.starts.length - 1]! + e.size);
    this.size = this.starts[this.starts.length - 1]!;
    if (!Number.isSafeInteger(this.size)) {
      throw new EngineError('unsupported', `${this.name}: virtual size past 2^53 bytes`, {
        feature: 'disks of 2^53 bytes or more',
      });
    }
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    let i = this.extentAt(offset);
    const end = offset + length;
    if (end <= this.starts[i + 1]!) return this.readExtent(i, offset, length);
    const out = new Uint8Array(length);
    for (let pos = offset; pos < end; i++) {
      const stop = Math.min(end, this.starts[i + 1]!);
      out.set(this.readExtent(i, pos, stop - pos), pos - offset);
      pos = stop;
    }
    return out;
  }

  /** The extent holding virtual offset `offset` (binary search; extents are sorted). */
  private extentAt(offset: number): number {
    let lo = 0;
    let hi = this.extents.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** [offset, offset + length) of the virtual disk, all inside extent i. */
  private readExtent(i: number, offset: number, length: number): Uint8Array {
    const extent = this.extents[i]!;
    const start = this.starts[i]!;
    if (extent.access === 'NOACCESS') {
      throw new EngineError('EPERM', `${this.name}: extent ${extent.fileName ?? i} is NOACCESS`, {
        path: extent.fileName,
      });
    }
    const out = new RunAssembler(length, extent.file ?? NO_FILE, this.backing);
    extent.map(offset - start, length, (kind, at, len, host, bytes) => {
      const pos = at - (offset - start);
      if (kind === RUN_DATA) out.data(pos, host, len);
      else if (kind === RUN_BYTES) out.bytes(pos, bytes!);
      else if (kind === RUN_PARENT) {
        if (this.backingFile !== undefined && !this.backing) throw this.parentNotOpened();
        out.backing(pos, start + at, len);
      }
    });
    return out.finish();
  }

  /** Opened with skipBacking: what the parent holds cannot be answered. */
  private parentNotOpened(): EngineError {
    return new EngineError('ENOENT', `${this.name}: parent ${this.backingFile} was not opened`, {
      path: this.backingFile,
    });
  }
}
