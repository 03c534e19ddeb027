// The VDI format driver: probe the signature after the text pre-header, open = validate the
// header and read the block map. Normal (dynamic) and fixed images are read; differencing
// and undo images are refused as unsupported (see header.ts: their parent has no file name).
// Reference: VirtualBox src/VBox/Storage/VDI.cpp vdiProbe (the signature decides, not the
// text); QEMU block/vdi.c vdi_probe.

import type { BlockSource } from '../../io/block-source.js';
import { readHead } from '../../io/block-source.js';
import type { DiskImage, FormatDriver, OpenContext } from '../types.js';
import { HEADER_READ, VDI_SIGNATURE, readVdiHeader } from './header.js';
import { VdiImage } from './image.js';

export const vdiDriver = {
  name: 'vdi',

  probe(head: Uint8Array): boolean {
    if (head.length < 0x48) return false;
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    return v.getUint32(0x40, true) === VDI_SIGNATURE;
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const header = readVdiHeader(readHead(file, 0, HEADER_READ), file.size);
    return new VdiImage(file, header, file.name ?? ctx.key);
  },
} satisfies FormatDriver;
