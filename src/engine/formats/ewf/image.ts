// An EWF (Expert Witness / EnCase E01) media image: reads are served chunk by chunk from
// the chunk tables of all segment files, and verify() re-hashes the whole media against the
// MD5 (hash section) and SHA-1 (digest section) stored at acquisition.
// Reference: libewf "Expert Witness Compression Format (EWF)" §3 (sections), §3.17-3.18.

import { md5, sha1 } from '@noble/hashes/legacy.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { toHex } from '../../io/bytes.js';
import type { DiskImage, FormatInfo } from '../types.js';
import type { ChunkReader } from './chunk-table.js';

/** verify() hashes the media in slices of this many bytes: bounded memory at any size. */
const VERIFY_SLICE = 4 * 1024 * 1024;

export interface HashCheck {
  readonly stored: string | undefined;
  readonly computed: string;
  /** False also when nothing was stored to compare with. */
  readonly match: boolean;
}

export interface EwfVerifyResult {
  readonly md5: HashCheck;
  readonly sha1: HashCheck;
  /** True when at least one hash was stored and every stored hash matches. */
  readonly ok: boolean;
}

export class EwfImage implements DiskImage {
  readonly format = 'ewf';
  readonly size: number;

  constructor(
    readonly name: string,
    private readonly chunks: ChunkReader,
    mediaSize: number,
    readonly info: FormatInfo,
    private readonly stored: { md5?: string; sha1?: string },
    /** The segment files, in order (for the UI and tests). */
    readonly segments: readonly BlockSource[],
  ) {
    this.size = mediaSize;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const cs = this.chunks.chunkSize;
    const first = Math.floor(offset / cs);
    const last = Math.floor((offset + length - 1) / cs);
    if (length > 0 && first === last) {
      const c = this.chunks.chunk(first);
      const from = offset - first * cs;
      return c.slice(from, from + length);
    }
    const out = new Uint8Array(length);
    for (let i = first; length > 0 && i <= last; i++) {
      const c = this.chunks.chunk(i);
      const from = Math.max(0, offset - i * cs);
      const to = Math.min(c.length, offset + length - i * cs);
      out.set(c.subarray(from, to), i * cs + from - offset);
    }
    return out;
  }

  /**
   * Hash the whole media and compare with the stored hashes. `onProgress(done, total)` is
   * called after each slice (the worker yields there; see DESIGN.md "long jobs").
   */
  verify(onProgress?: (done: number, total: number) => void): EwfVerifyResult {
    const m = md5.create();
    const s = sha1.create();
    for (let off = 0; off < this.size; off += VERIFY_SLICE) {
      const bytes = this.readAt(off, Math.min(VERIFY_SLICE, this.size - off));
      m.update(bytes);
      s.update(bytes);
      onProgress?.(off + bytes.length, this.size);
    }
    const check = (stored: string | undefined, computed: string): HashCheck => ({
      stored,
      computed,
      match: stored === computed,
    });
    const md5Check = check(this.stored.md5, toHex(m.digest()));
    const sha1Check = check(this.stored.sha1, toHex(s.digest()));
    const any = this.stored.md5 !== undefined || this.stored.sha1 !== undefined;
    const ok =
      any &&
      (this.stored.md5 === undefined || md5Check.match) &&
      (this.stored.sha1 === undefined || sha1Check.match);
    return { md5: md5Check, sha1: sha1Check, ok };
  }
}
