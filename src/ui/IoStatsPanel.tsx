// How much of the image the worker actually read: the point of reading a File in place is
// that a 100 GiB image is explored with a few MiB of reads.

import type { Inventory } from '../engine/guestfs/inventory.js';
import { Bytes } from './Bytes.js';
import { percent } from './format.js';
import { useIoStats } from './queries.js';

export function IoStatsPanel({
  session,
  inventory,
  fileBytes,
}: {
  session: number;
  inventory: Inventory;
  fileBytes: number;
}) {
  const stats = useIoStats(session);
  const io = stats.data ?? inventory.io;
  const virtual = inventory.disks.reduce((n, d) => n + d.virtualSize, 0);
  return (
    <section className="panel io-stats" aria-label="I/O statistics" data-testid="io-stats">
      <p>
        Read <Bytes value={io.bytes} testId="io-bytes" /> of{' '}
        <Bytes value={virtual} testId="io-virtual" /> in{' '}
        <span data-testid="io-calls">{io.calls}</span> read {io.calls === 1 ? 'call' : 'calls'}
        <span className="muted">
          {' '}
          · {percent(io.bytes, fileBytes)} of the <Bytes value={fileBytes} /> of files supplied
        </span>
      </p>
    </section>
  );
}
