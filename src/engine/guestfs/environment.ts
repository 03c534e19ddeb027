// What the Guestfs handle needs from its host: a way to open the files named by
// add_drive, a resolver for the files images name (backing files, extents), I/O
// statistics and a trace sink; optionally host files to write (FileOut arguments:
// download, tar_out, find0) and native hashes. Node (src/cli/node-env.ts) and the browser
// worker (src/worker/browser-env.ts) each provide one.

import type { FileResolver } from '../formats/types.js';
import type { BlockSource } from '../io/block-source.js';
import type { IoStats } from '../io/stats.js';
import type { HashFactory } from './checksum.js';

export interface OpenedFile {
  /** Identity for loop detection (realpath in Node, the file's name in the browser). */
  key: string;
  /** Name to show and to resolve references against. */
  name: string;
  source: BlockSource;
}

/** A host file being written by a FileOut action; chunks arrive in order. */
export interface HostOutput {
  write(chunk: Uint8Array): void;
  close(): void;
}

export interface GuestfsEnvironment {
  /** Open a file named by add_drive / disk_format; throws EngineError ENOENT when absent. */
  openDrive(filename: string): OpenedFile;
  resolver: FileResolver;
  /** Reads that reached real storage, summed over every file opened so far. */
  stats(): IoStats;
  /** Where set_trace / set_verbose output goes (stderr in Node, console in the worker). */
  log?(line: string): void;
  /**
   * Create (truncate) a host file for a FileOut argument ("-" may mean standard output).
   * Absent where the host has no files (the browser): FileOut actions are unsupported.
   */
  openOutput?(filename: string): HostOutput;
  /** Native hash implementations (Node's crypto); the engine falls back to @noble/hashes. */
  createHash?: HashFactory;
}
