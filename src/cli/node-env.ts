// The Guestfs environment for Node: drives are host paths read with fs.readSync through a
// page cache; references inside images (backing files) resolve the way qemu resolves them
// (src/engine/io/node-resolver.ts).

import type { GuestfsEnvironment, OpenedFile } from '../engine/guestfs/environment.js';
import { NodeResolver } from '../engine/io/node-resolver.js';
import { type IoStats, addStats, newStats } from '../engine/io/stats.js';

export class NodeEnvironment implements GuestfsEnvironment {
  readonly resolver = new NodeResolver();

  constructor(readonly log?: (line: string) => void) {}

  openDrive(filename: string): OpenedFile {
    return this.resolver.open(filename);
  }

  stats(): IoStats {
    return this.resolver.stats().reduce(addStats, newStats());
  }

  close(): void {
    this.resolver.close();
  }
}
