// The Guestfs environment for Node: drives are host paths read with fs.readSync through a
// page cache; references inside images (backing files) resolve the way qemu resolves them
// (src/engine/io/node-resolver.ts); FileOut arguments are host files ("-" is standard
// output); checksums use Node's native crypto.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Hasher } from '../engine/guestfs/checksum.js';
import type { GuestfsEnvironment, HostOutput, OpenedFile } from '../engine/guestfs/environment.js';
import { NodeResolver } from '../engine/io/node-resolver.js';
import { type IoStats, addStats, newStats } from '../engine/io/stats.js';

/** One write(2); a non-blocking stdout pipe that is full (EAGAIN) is waited for. */
function writeSome(fd: number, chunk: Uint8Array, off: number): number {
  for (;;) {
    try {
      return fs.writeSync(fd, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export class NodeEnvironment implements GuestfsEnvironment {
  readonly resolver = new NodeResolver();

  constructor(readonly log?: (line: string) => void) {}

  openDrive(filename: string): OpenedFile {
    return this.resolver.open(filename);
  }

  stats(): IoStats {
    return this.resolver.stats().reduce(addStats, newStats());
  }

  openOutput(filename: string): HostOutput {
    const fd = filename === '-' ? 1 : fs.openSync(filename, 'w');
    return {
      write(chunk: Uint8Array) {
        for (let off = 0; off < chunk.length;) off += writeSome(fd, chunk, off);
      },
      close() {
        if (fd !== 1) fs.closeSync(fd);
      },
    };
  }

  createHash = (type: string): Hasher => {
    const h = createHash(type);
    return {
      update: (d) => void h.update(d),
      result: () => h.digest('hex'),
    };
  };

  close(): void {
    this.resolver.close();
  }
}
