// `guestkit convert -a IMG --to raw OUT` — the virtual disk's bytes, like
// `qemu-img convert -O raw`. All-zero chunks are not written, so the output stays sparse
// the way qemu-img's does.

import * as fs from 'node:fs';
import type { DiskImage } from '../../engine/formats/types.js';
import { UsageError } from '../args.js';

/** Copy unit: large enough to amortise per-read costs, small enough to bound memory. */
const CHUNK = 4 * 1024 * 1024;

export function convertToRaw(
  image: DiskImage,
  out: string,
  onProgress?: (done: number, total: number) => void,
): void {
  const fd = fs.openSync(out, 'w');
  try {
    fs.ftruncateSync(fd, 0);
    for (let off = 0; off < image.size; off += CHUNK) {
      const n = Math.min(CHUNK, image.size - off);
      const buf = image.readAt(off, n);
      if (!isZero(buf)) fs.writeSync(fd, buf, 0, n, off);
      onProgress?.(off + n, image.size);
    }
    fs.ftruncateSync(fd, image.size);
  } finally {
    fs.closeSync(fd);
  }
}

function isZero(b: Uint8Array): boolean {
  // Compare 4 bytes at a time where alignment allows: this loop runs over every byte copied.
  const words =
    b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
  let i = 0;
  if (words) {
    for (let j = 0; j < words.length; j++) if (words[j] !== 0) return false;
    i = words.length * 4;
  }
  for (; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export function checkTarget(to: string | true | undefined): void {
  if (to !== 'raw')
    throw new UsageError(`convert: --to ${String(to)} is not supported (use --to raw)`);
}
