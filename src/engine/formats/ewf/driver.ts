// The EWF (Expert Witness Compression Format: EnCase .E01, FTK, linen, SMART .s01) driver.
// Probe: the "EVF" signature (EWF2 "EVF2" and logical "LVF"/"LEF2" files are probed too, so
// they are refused as unsupported rather than shown as raw bytes). Open: walk the section
// chain of the first segment and of each next one, found by name through the resolver
// (disk.E01 → disk.E02 …) until a "done" section; read the volume, the stored hashes and
// the case metadata; index the chunk tables.
// Reference: libewf "Expert Witness Compression Format (EWF)" §2 (segment files), §3.

import { EngineError, corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { baseName } from '../map-resolver.js';
import type { DiskImage, FormatDriver, FormatInfo, OpenContext } from '../types.js';
import { ChunkReader, TABLE_STRUCTURE, collectTables } from './chunk-table.js';
import { EwfImage } from './image.js';
import { readSegment, segmentName, signatureKind, type Segment } from './segment.js';
import {
  VOLUME_STRUCTURE,
  readDigest,
  readHash,
  readHeaderValues,
  readVolume,
  type EwfVolume,
} from './volume.js';

const MEDIA_TYPES: Record<number, string> = {
  0: 'removable',
  1: 'fixed',
  3: 'optical',
  14: 'memory',
};

export const ewfDriver = {
  name: 'ewf',

  probe(head: Uint8Array): boolean {
    return head.length >= 8 && signatureKind(head) !== undefined;
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const firstName = baseName(file.name ?? ctx.key);
    const segments = readSegments(file, firstName, ctx);
    const volume = findVolume(segments[0]!);
    const tables = collectTables(segments, volume);
    const listed = tables.reduce((n, t) => n + t.count, 0);
    const needed = Math.ceil(volume.sectorCount / volume.sectorsPerChunk);
    if (listed < needed) {
      throw corrupt(
        TABLE_STRUCTURE,
        0,
        `the tables list ${listed} chunks, the media needs ${needed}`,
        needed,
        listed,
      );
    }
    const stored = storedHashes(segments);
    return new EwfImage(
      file.name ?? ctx.key,
      new ChunkReader(tables, volume),
      volume.sectorCount * volume.bytesPerSector,
      describe(volume, segments, stored, headerValues(segments[0]!)),
      stored,
      segments.map((s) => s.file),
    );
  },
} satisfies FormatDriver;

/** The first segment, then each next one by name until the segment that ends with "done". */
function readSegments(file: BlockSource, firstName: string, ctx: OpenContext): Segment[] {
  const segments = [readSegment(file, firstName, 1)];
  while (!segments[segments.length - 1]!.last) {
    const n = segments.length + 1;
    const name = segmentName(firstName, n);
    const found = ctx.resolver.resolve(name, ctx.key);
    if (!found) {
      throw new EngineError(
        'ENOENT',
        `${firstName}: segment ${n} (${name}) of the EWF set is missing`,
        { path: name },
      );
    }
    segments.push(readSegment(found.source, name, n));
  }
  return segments;
}

function findVolume(first: Segment): EwfVolume {
  const s = first.sections.find((x) => x.type === 'volume' || x.type === 'disk');
  if (!s) throw corrupt(VOLUME_STRUCTURE, 0, `${first.name}: no volume or disk section`);
  return readVolume(first.file, s);
}

/** The last hash and digest sections of the set (they sit in the last segment). */
function storedHashes(segments: readonly Segment[]): { md5?: string; sha1?: string } {
  let md5: string | undefined;
  let sha1: string | undefined;
  for (const seg of segments) {
    for (const s of seg.sections) {
      if (s.type === 'hash') md5 = readHash(seg.file, s);
      if (s.type === 'digest') {
        const d = readDigest(seg.file, s);
        md5 = d.md5 ?? md5;
        sha1 = d.sha1 ?? sha1;
      }
    }
  }
  return { md5, sha1 };
}

/** header2 (UTF-16) when present, else header. */
function headerValues(first: Segment): Record<string, string> {
  for (const type of ['header2', 'header']) {
    const s = first.sections.find((x) => x.type === type);
    const v = s ? readHeaderValues(first.file, s) : undefined;
    if (v) return v;
  }
  return {};
}

function describe(
  v: EwfVolume,
  segments: readonly Segment[],
  stored: { md5?: string; sha1?: string },
  h: Record<string, string>,
): FormatInfo {
  return {
    virtualSize: v.sectorCount * v.bytesPerSector,
    bytesPerSector: v.bytesPerSector,
    sectorsPerChunk: v.sectorsPerChunk,
    sectorCount: v.sectorCount,
    chunkCount: v.chunkCount,
    segmentCount: segments.length,
    segments: segments.map((s) => s.name),
    layout: v.layout,
    mediaType:
      v.mediaType === undefined ? undefined : (MEDIA_TYPES[v.mediaType] ?? String(v.mediaType)),
    setIdentifier: v.setIdentifier,
    md5: stored.md5,
    sha1: stored.sha1,
    caseNumber: h.c,
    evidenceNumber: h.n,
    description: h.a,
    examiner: h.e,
    notes: h.t,
    acquiredDate: h.m,
    acquirySoftwareVersion: h.av,
    acquiryOs: h.ov,
    readOnly: true,
  };
}
