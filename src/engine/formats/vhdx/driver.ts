// The VHDX format driver. Probe: "vhdxfile" at offset 0. Open: the current header; if its
// LogGuid is set, replay the log in memory; then (through the replayed view) the region
// table, the metadata, the BAT, and for a differencing disk the parent.
// Reference: [MS-VHDX] v20160714 §2 (layout), §2.3.3 (replay before use); QEMU block/vhdx.c
// vhdx_open (order of steps).

import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import type { DiskImage, FormatDriver, FormatInfo, OpenContext } from '../types.js';
import { VhdxBat, batGeometry } from './bat.js';
import {
  FILE_ID_SIGNATURE,
  FILE_ID_STRUCTURE,
  ZERO_GUID,
  readCurrentHeader,
  readFileIdentifier,
  type VhdxHeader,
} from './header.js';
import { VhdxImage } from './image.js';
import { ReplayedSource, replayLog, type LogReplay } from './log.js';
import { readMetadata, type VhdxMetadata } from './metadata.js';
import { locatorPaths, openVhdxParent } from './parent-locator.js';
import { readRegionTable } from './region-table.js';

export const vhdxDriver = {
  name: 'vhdx',

  probe(head: Uint8Array): boolean {
    return head.length >= 8 && new Bytes(head, FILE_ID_STRUCTURE).equals(0, FILE_ID_SIGNATURE);
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const { creator } = readFileIdentifier(file);
    const header = readCurrentHeader(file);
    const replay = header.logGuid === ZERO_GUID ? undefined : replayLog(file, header);
    const view = replay ? new ReplayedSource(file, replay) : file;
    const regions = readRegionTable(view);
    const metadata = readMetadata(view, regions.metadata);
    const geometry = batGeometry(metadata);
    const bat = new VhdxBat(view, regions.bat, geometry, metadata.blockSize);
    const name = file.name ?? ctx.key;
    const locator = metadata.parentLocator;
    const backingFile = locator ? (locatorPaths(locator)[0] ?? '') : undefined;
    const backing = locator && !ctx.skipBacking ? openVhdxParent(locator, ctx, name) : undefined;
    return new VhdxImage({
      name,
      file: view,
      metadata,
      bat,
      info: describe(creator, header, metadata, geometry.chunkRatio, replay, backingFile),
      backingFile,
      backing,
    });
  },
} satisfies FormatDriver;

function describe(
  creator: string,
  h: VhdxHeader,
  m: VhdxMetadata,
  chunkRatio: number,
  replay: LogReplay | undefined,
  backingFile: string | undefined,
): FormatInfo {
  return {
    virtualSize: m.virtualDiskSize,
    diskType: m.hasParent ? 'differencing' : m.leaveBlocksAllocated ? 'fixed' : 'dynamic',
    blockSize: m.blockSize,
    logicalSectorSize: m.logicalSectorSize,
    physicalSectorSize: m.physicalSectorSize,
    chunkRatio,
    id: m.page83Data,
    dataWriteGuid: h.dataWriteGuid,
    fileWriteGuid: h.fileWriteGuid,
    headerSequence: String(h.sequenceNumber),
    creator,
    logReplayed: replay !== undefined,
    logEntriesReplayed: replay?.entries ?? 0,
    parent: backingFile,
    parentLinkage: m.parentLocator?.entries.get('parent_linkage'),
    parentLocator: m.parentLocator
      ? [...m.parentLocator.entries].map(([k, v]) => `${k}=${v}`)
      : undefined,
    readOnly: true,
  };
}
