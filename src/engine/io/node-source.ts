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
    if (this.fd === undefined)
      throw new EngineError('io', `${this.path}: closed`, { path: this.path });
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0)
        throw new EngineError('io', `${this.path}: short read at ${offset + done}`, {
          path: this.path,
        });
      done += n;
    }
    this.stats.calls++;
    this.stats.bytes += length;
    return out;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
