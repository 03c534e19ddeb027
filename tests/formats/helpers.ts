// Shared helpers for the format tests: hashing a virtual disk in chunks, qemu-img's
// expectations written by fixtures/build-qcow2.sh, in-memory images with patched fields.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { type BlockSource, MemorySource } from '../../src/engine/io/block-source.js';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import { createOpenContext, openImage } from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';

export const MiB = 1024 * 1024;
/** Reads of a few MiB, as the engine's long jobs do. */
export const CHUNK = 4 * MiB;

export function hashImage(image: BlockSource, algorithm = 'sha256', length = image.size): string {
  const h = createHash(algorithm);
  for (let off = 0; off < length; off += CHUNK)
    h.update(image.readAt(off, Math.min(CHUNK, length - off)));
  return h.digest('hex');
}

/** What `qemu-img info --output=json` said, plus the sha256 of `qemu-img convert -O raw`. */
export interface Expected {
  info: QemuInfo;
  sha256: string | null;
  snapshots?: Record<
    string,
    { size: number; sha256: string; convert_size: number; convert_sha256: string }
  >;
  head16m_sha256?: string;
}

export interface QemuInfo {
  'virtual-size': number;
  'cluster-size': number;
  format: string;
  'backing-filename'?: string;
  'backing-filename-format'?: string;
  'dirty-flag'?: boolean;
  snapshots?: {
    id: string;
    name: string;
    'vm-state-size': number;
    'date-sec': number;
    'date-nsec': number;
  }[];
  'format-specific': { type: string; data: Record<string, unknown> };
}

export function readExpected(dir: string, name: string): Expected {
  return JSON.parse(
    fs.readFileSync(path.join(dir, 'expected', `${name}.json`), 'utf8'),
  ) as Expected;
}

/** An image from bytes in memory, its references answered by `others` (by base name). */
export function openBytes(
  bytes: Uint8Array,
  others: [string, BlockSource][] = [],
  formatHint?: string,
  name = 'test.qcow2',
): DiskImage {
  const resolver = new MapResolver([[name, new MemorySource(bytes, name)], ...others]);
  return openImage(resolver.resolve(name)!.source, createOpenContext(resolver, name), formatHint);
}

/** Run `fn` and return the EngineError it throws (failing the test if it throws nothing else). */
export function engineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}

export function be32(buf: Uint8Array, off: number): number {
  return new DataView(buf.buffer, buf.byteOffset).getUint32(off, false);
}

export function be64(buf: Uint8Array, off: number): number {
  return Number(new DataView(buf.buffer, buf.byteOffset).getBigUint64(off, false));
}

export function setBe32(buf: Uint8Array, off: number, v: number): void {
  new DataView(buf.buffer, buf.byteOffset).setUint32(off, v >>> 0, false);
}

export function setBe64(buf: Uint8Array, off: number, v: bigint): void {
  new DataView(buf.buffer, buf.byteOffset).setBigUint64(off, v, false);
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
