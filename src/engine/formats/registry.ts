// The disk-format registry: drivers in probe order (specific magics first, raw last), and
// opening an image with its whole backing chain through one OpenContext.
// Reference: DESIGN.md "Probe then open"; the format comes from content, never the name.

import { EngineError, unsupported } from '../errors.js';
import { type BlockSource, readHead } from '../io/block-source.js';
import { ewfDriver } from './ewf/driver.js';
import { qcow2Driver } from './qcow2/driver.js';
import { qcow2Info } from './qcow2/info.js';
import { qcowDriver } from './qcow1/driver.js';
import { rawDriver } from './raw.js';
import { vdiDriver } from './vdi/driver.js';
import { vhdDriver } from './vhd/driver.js';
import { vhdxDriver } from './vhdx/driver.js';
import { vmdkDriver } from './vmdk/driver.js';
import type { DiskImage, FileResolver, FormatDriver, FormatInfo, OpenContext } from './types.js';

/** Probes see the first 64 KiB (or the whole file): every magic we know sits well inside. */
export const HEAD_BYTES = 64 * 1024;
/** Tail probes see the last 512 bytes: where a fixed VHD keeps its footer. */
export const TAIL_BYTES = 512;
/**
 * Backing chains deeper than this are refused. Each layer holds an L1 table, caches and
 * a file handle; real chains (external snapshots, backup increments) stay far below it.
 */
export const MAX_BACKING_CHAIN_DEPTH = 256;

export const formatDrivers: readonly FormatDriver[] = [
  qcow2Driver,
  qcowDriver,
  vhdxDriver,
  vmdkDriver,
  vdiDriver,
  vhdDriver,
  ewfDriver,
  rawDriver,
];

export function findFormatDriver(name: string): FormatDriver | undefined {
  return formatDrivers.find((d) => d.name === name);
}

/** The first driver whose probe accepts the head (or, given, the tail); raw accepts anything. */
export function detectFormat(head: Uint8Array, size: number, tail?: Uint8Array): FormatDriver {
  for (const d of formatDrivers) {
    if (d.probe(head, size) || (tail !== undefined && d.probeTail?.(tail, size) === true)) return d;
  }
  return rawDriver;
}

/** The file's last TAIL_BYTES, for drivers with a probeTail. */
export function readTail(file: BlockSource): Uint8Array {
  return readHead(file, Math.max(0, file.size - TAIL_BYTES), TAIL_BYTES);
}

/**
 * Open `file` as a virtual disk. A `formatHint` (the user's --format, or a backing format
 * named by the image) skips probing but the driver still validates.
 */
export function openImage(file: BlockSource, ctx: OpenContext, formatHint?: string): DiskImage {
  if (formatHint !== undefined) {
    const driver = findFormatDriver(formatHint);
    if (!driver) throw unsupported(`image format ${formatHint}`);
    return driver.open(file, ctx);
  }
  return detectFormat(readHead(file, 0, HEAD_BYTES), file.size, readTail(file)).open(file, ctx);
}

export interface OpenContextOptions {
  /** Keys of the images above this one (set when recursing into a backing chain). */
  chain?: string[];
  /** Do not open backing files: for format, size and has-backing queries (see OpenContext). */
  skipBacking?: boolean;
}

/**
 * An OpenContext for the image `key`. Its openImage opens backing images with the same
 * resolver, refusing a key already in the chain (a loop) and chains past the depth limit.
 */
export function createOpenContext(
  resolver: FileResolver,
  key: string,
  options: OpenContextOptions = {},
): OpenContext {
  const skipBacking = options.skipBacking ?? false;
  return {
    resolver,
    key,
    chain: options.chain ?? [],
    skipBacking,
    openImage(
      source: BlockSource,
      childKey: string,
      childChain: string[],
      formatHint?: string,
    ): DiskImage {
      if (childChain.includes(childKey)) {
        const files = [...childChain.slice(childChain.indexOf(childKey)), childKey].join(' -> ');
        throw new EngineError('corrupt', `backing chain loop: ${files}`, {
          structure: 'backing chain',
          offset: 0,
          path: childKey,
        });
      }
      if (childChain.length >= MAX_BACKING_CHAIN_DEPTH) {
        throw unsupported(
          `backing chain deeper than ${MAX_BACKING_CHAIN_DEPTH} (MAX_BACKING_CHAIN_DEPTH)`,
        );
      }
      const child = createOpenContext(resolver, childKey, { chain: childChain, skipBacking });
      return openImage(source, child, formatHint);
    },
  };
}

/**
 * What the file is, without opening it: the format, and for qcow2 the header's facts
 * (encrypted, backing file, …) even when a full open would fail. Reads only the head.
 */
export function peekImage(file: BlockSource): { format: string; info: FormatInfo } {
  const head = readHead(file, 0, HEAD_BYTES);
  const driver = detectFormat(head, file.size, readTail(file));
  if (driver === qcow2Driver) return { format: driver.name, info: qcow2Info(head) ?? {} };
  return {
    format: driver.name,
    info: { virtualSize: driver === rawDriver ? file.size : undefined },
  };
}
