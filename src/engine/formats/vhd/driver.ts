// The VHD ("vpc", as QEMU names it) format driver. Probe: a valid footer copy at offset 0
// (dynamic and differencing disks) or a valid footer in the last 512 bytes (fixed disks,
// which are raw data plus a footer: the registry asks probeTail). Open: choose the footer,
// read the dynamic header and BAT, and for a differencing disk open the parent through the
// parent locators.
// Reference: Microsoft "Virtual Hard Disk Image Format Specification" v1.0; QEMU block/vpc.c.

import { corrupt } from '../../errors.js';
import { type BlockSource, readHead } from '../../io/block-source.js';
import type { DiskImage, FormatDriver, FormatInfo, OpenContext } from '../types.js';
import { readBat, type VhdBat } from './bat.js';
import { readDynamicHeader, type VhdDynamicHeader } from './dynamic-header.js';
import {
  DISK_DIFFERENCING,
  DISK_FIXED,
  FOOTER_SIZE,
  FOOTER_STRUCTURE,
  diskTypeName,
  looksLikeFooter,
  parseFooter,
  vhdTime,
  type VhdFooter,
} from './footer.js';
import { VhdImage } from './image.js';
import { openVhdParent, parentReference } from './parent.js';

export const vhdDriver = {
  name: 'vpc',

  probe(head: Uint8Array): boolean {
    return looksLikeFooter(head, 0);
  },

  probeTail(tail: Uint8Array): boolean {
    return looksLikeFooter(tail, tail.length - FOOTER_SIZE);
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const footer = chooseFooter(file);
    const name = file.name ?? ctx.key;
    if (footer.diskType === DISK_FIXED) return openFixed(file, footer, name);
    const header = readDynamicHeader(file, footer.dynamicHeaderOffset!);
    const bat = readBat(file, header, footer.virtualSize);
    const differencing = footer.diskType === DISK_DIFFERENCING;
    const backingFile = differencing ? parentReference(header) : undefined;
    const backing = differencing && !ctx.skipBacking ? openVhdParent(header, ctx, name) : undefined;
    return new VhdImage({
      name,
      file,
      footer,
      bat,
      info: describe(footer, header, bat, backingFile),
      backingFile,
      backing,
    });
  },
} satisfies FormatDriver;

/**
 * The footer at the end is the primary one. A dynamic disk also keeps a copy at offset 0,
 * which the specification provides for recovery when the last sector is damaged (a
 * truncated copy or download): use it when the end holds no intact footer (cookie and
 * checksum), but never for a fixed disk, which has no copy.
 */
function chooseFooter(file: BlockSource): VhdFooter {
  if (file.size < FOOTER_SIZE) {
    throw corrupt(
      FOOTER_STRUCTURE,
      0,
      'file shorter than a footer',
      `>= ${FOOTER_SIZE}`,
      file.size,
    );
  }
  const endAt = file.size - FOOTER_SIZE;
  const end = file.readAt(endAt, FOOTER_SIZE);
  if (!looksLikeFooter(end, 0) && endAt > 0) {
    const head = readHead(file, 0, FOOTER_SIZE);
    if (looksLikeFooter(head, 0)) {
      const copy = parseFooter(head, 0, file.size);
      if (copy.diskType !== DISK_FIXED) return copy;
    }
  }
  return parseFooter(end, endAt, file.size);
}

function openFixed(file: BlockSource, footer: VhdFooter, name: string): DiskImage {
  const dataSize = file.size - FOOTER_SIZE;
  if (footer.virtualSize > dataSize) {
    throw corrupt(
      FOOTER_STRUCTURE,
      footer.offset + 48,
      'fixed disk larger than the data in the file',
      `<= ${dataSize}`,
      footer.virtualSize,
    );
  }
  return new VhdImage({
    name,
    file,
    footer,
    bat: undefined,
    info: describe(footer, undefined, undefined, undefined),
    backingFile: undefined,
    backing: undefined,
  });
}

/** What `qemu-img info` and vhdiinfo report, in camelCase. */
function describe(
  f: VhdFooter,
  h: VhdDynamicHeader | undefined,
  bat: VhdBat | undefined,
  backingFile: string | undefined,
): FormatInfo {
  return {
    virtualSize: f.virtualSize,
    currentSize: f.fields.currentSize,
    originalSize: f.fields.originalSize,
    sizeRule: f.sizeRule,
    diskType: diskTypeName(f.diskType),
    creatorApp: f.fields.creatorApplication.replace(/\0+$/, ''),
    creatorVersion: `${f.fields.creatorVersion >>> 16}.${f.fields.creatorVersion & 0xffff}`,
    creatorHostOs: f.fields.creatorHostOs,
    timeStamp: vhdTime(f.fields.timeStamp),
    geometry: `${f.fields.cylinders}/${f.fields.heads}/${f.fields.sectorsPerTrack}`,
    uuid: f.uniqueId,
    blockSize: h?.blockSize,
    allocatedBlocks: bat?.allocatedBlocks,
    parent: backingFile,
    parentUuid: f.diskType === DISK_DIFFERENCING ? h?.parentUniqueId : undefined,
    parentLocators: h?.locators.map((l) => `${l.platform}:${l.path ?? ''}`),
    readOnly: true,
  };
}
