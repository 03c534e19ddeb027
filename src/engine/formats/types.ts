// The disk-format family: each driver turns an image file into the virtual disk it holds.
// Reference: DESIGN.md "Probe then open".

import type { BlockSource } from '../io/block-source.js';

/**
 * How a driver finds the other files an image names (qcow2 backing and external data
 * files, VMDK extents, VHD parents). In Node a reference resolves relative to the
 * referring image as qemu does; in the browser it is matched among the files the user
 * supplied. `key` identifies the file for loop detection.
 */
export interface FileResolver {
  resolve(
    reference: string,
    referrer: string,
  ): { key: string; name: string; source: BlockSource } | undefined;
}

export interface OpenContext {
  resolver: FileResolver;
  /** Key of the file being opened (its resolved path or the supplied file's name). */
  key: string;
  /** Keys of the images above this one in a backing chain; a repeat is a loop. */
  chain: string[];
  /** Open another image (a backing file) with format detection, sharing this context's rules. */
  openImage(source: BlockSource, key: string, chain: string[], formatHint?: string): DiskImage;
  /**
   * Open without backing files (format, size and "has a backing file" queries that must work
   * when the backing file is absent). The image still names `backingFile`; reads that would
   * need the backing file throw ENOENT instead of returning zeros.
   */
  readonly skipBacking?: boolean;
}

/** Facts a format reports about itself: shown by the UI, `disk_*` actions and tests. */
export interface FormatInfo {
  [key: string]: string | number | boolean | undefined | string[] | Snapshot[];
}

export interface Snapshot {
  id: string;
  name: string;
  vmStateSize: number;
  date: string;
  virtualSize: number;
}

/** A virtual disk: the image's guest-visible bytes. `size` is the virtual size. */
export interface DiskImage extends BlockSource {
  readonly format: string;
  /** The backing image, if this one has a backing file. */
  readonly backing?: DiskImage;
  /** The backing file name as written in the image, if any. */
  readonly backingFile?: string;
  readonly info: FormatInfo;
  /** Internal snapshots (qcow2), listed, not opened. */
  readonly snapshots?: Snapshot[];
}

export interface FormatDriver {
  readonly name: string;
  /** Cheap, pure, never throws: does the file start like this format? `head` is ≥ 4 KiB when the file is. */
  probe(head: Uint8Array, size: number): boolean;
  /**
   * Optional, for formats whose signature sits at the END of the file (a fixed VHD is raw
   * data plus a 512-byte footer). `tail` is the file's last TAIL_BYTES (all of it when
   * shorter). Cheap, pure, never throws; asked only when `probe` said no.
   */
  probeTail?(tail: Uint8Array, size: number): boolean;
  /** Validate and open; throws EngineError(corrupt|unsupported|locked|ENOENT). */
  open(file: BlockSource, ctx: OpenContext): DiskImage;
}
