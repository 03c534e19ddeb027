// Raw images: the file is the virtual disk, byte for byte. Always probes true, so it is the
// registry's last resort.
// Reference: QEMU block/raw-format.c (no header, size = file size).

import { type BlockSource, readInto } from '../io/block-source.js';
import type { DiskImage, FormatDriver, FormatInfo } from './types.js';

export class RawImage implements DiskImage {
  readonly format = 'raw';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;

  constructor(private readonly file: BlockSource) {
    this.size = file.size;
    this.name = file.name ?? 'raw';
    this.info = { virtualSize: file.size };
  }

  readAt(offset: number, length: number): Uint8Array {
    return this.file.readAt(offset, length);
  }

  readInto(offset: number, dst: Uint8Array): void {
    readInto(this.file, offset, dst);
  }
}

export const rawDriver = {
  name: 'raw',
  probe: () => true,
  open: (file: BlockSource) => new RawImage(file),
} satisfies FormatDriver;
