// I/O statistics of the sources that touch real storage (a File, a Node fd). Benchmarks
// and the UI read them to show how little of an image an operation needed.

export interface IoStats {
  /** Read calls that reached the underlying storage. */
  calls: number;
  /** Bytes those calls returned. */
  bytes: number;
}

export function newStats(): IoStats {
  return { calls: 0, bytes: 0 };
}

export function addStats(into: IoStats, from: IoStats): IoStats {
  into.calls += from.calls;
  into.bytes += from.bytes;
  return into;
}
