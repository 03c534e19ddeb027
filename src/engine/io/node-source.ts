// A file in Node as a BlockSource, read with fs.readSync (positions up to 2^53 work).
// Imported only by Node entry points (CLI, tests, bench), never by the browser bundle.

import * as fs from 'node:fs';
import { EngineError } from '../errors.js';
import { type BlockSource, checkRange } from './block-source.js';
import { type IoStats, newStats } from './stats.js';

export class NodeFileSource implements BlockSource {
  readonly size: number;
  readonly stats: IoStats = newStats();
  private fd: number | undefined;

  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'r');
      this.size = fs.fstatSync(this.fd).size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new EngineError(
        code === 'ENOENT' ? 'ENOENT' : 'io',
        `${path}: ${(e as Error).message}`,
        { path },
      );
    }
  }

  get name(): string {
    return this.path;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    this.fill(offset, out);
    return out;
  }

  /** fs.readSync straight into the caller's buffer: no allocation, no copy. */
  readInto(offset: number, dst: Uint8Array): void {
    checkRange(this, offset, dst.length);
    this.fill(offset, dst);
  }

  private fill(offset: number, dst: Uint8Array): void {
    if (this.fd === undefined)
      throw new EngineError('io', `${this.path}: closed`, { path: this.path });
    const length = dst.length;
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, dst, done, length - done, offset + done);
      if (n <= 0)
        throw new EngineError('io', `${this.path}: short read at ${offset + done}`, {
          path: this.path,
        });
      done += n;
    }
    this.stats.calls++;
    this.stats.bytes += length;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
