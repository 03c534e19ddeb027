// The VHDX region table: where the BAT and the metadata region are. Two identical 64 KiB
// copies (192 KiB and 256 KiB), each with a CRC-32C; the first valid copy is used, so one
// damaged copy still opens (the reason there are two).
// Reference: [MS-VHDX] §2.2.3 Region Table (header, entries, known region GUIDs; a required
// region the reader does not know makes the file unreadable).

import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { MiB, checksumWithoutField, hex } from './header.js';

export const REGION_TABLE_STRUCTURE = 'VHDX region table';
export const REGION_TABLE_OFFSETS = [192 * 1024, 256 * 1024] as const;
const REGION_TABLE_SIZE = 64 * 1024;
const REGION_SIGNATURE = 'regi';
/** The specification's bound: (64 KiB - 16-byte header) / 32-byte entries. */
const MAX_REGION_ENTRIES = 2047;

export const BAT_REGION_GUID = '2dc27766-f623-4200-9d64-115e9bfd4a08';
export const METADATA_REGION_GUID = '8b7ca206-4790-4b9a-b8fe-575f050f886e';

export interface Region {
  readonly fileOffset: number;
  readonly length: number;
  /** Offset of its entry in the file, for errors about it. */
  readonly entryOffset: number;
}

export interface VhdxRegions {
  readonly bat: Region;
  readonly metadata: Region;
}

export function readRegionTable(file: BlockSource): VhdxRegions {
  let firstError: Error | undefined;
  for (const off of REGION_TABLE_OFFSETS) {
    try {
      return parseRegionTable(file.readAt(off, REGION_TABLE_SIZE), off, file.size);
    } catch (e) {
      // A checksum failure tries the other copy; anything else is damage both share.
      if (!(e instanceof ChecksumError)) throw e;
      firstError ??= e.error;
    }
  }
  throw firstError!;
}

class ChecksumError extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

function parseRegionTable(buf: Uint8Array, offset: number, fileSize: number): VhdxRegions {
  const b = new Bytes(buf, REGION_TABLE_STRUCTURE, offset);
  if (!b.equals(0, REGION_SIGNATURE)) {
    throw new ChecksumError(
      corrupt(
        REGION_TABLE_STRUCTURE,
        offset,
        'bad signature',
        REGION_SIGNATURE,
        JSON.stringify(b.ascii(0, 4)),
      ),
    );
  }
  const sum = checksumWithoutField(buf, 4);
  if (b.u32le(4) !== sum) {
    throw new ChecksumError(
      corrupt(REGION_TABLE_STRUCTURE, offset + 4, 'checksum mismatch', hex(sum), hex(b.u32le(4))),
    );
  }
  const count = b.u32le(8);
  if (count > MAX_REGION_ENTRIES) {
    throw corrupt(
      REGION_TABLE_STRUCTURE,
      offset + 8,
      'too many entries',
      `<= ${MAX_REGION_ENTRIES}`,
      count,
    );
  }
  const found = new Map<string, Region>();
  for (let i = 0; i < count; i++) {
    const at = 16 + i * 32;
    const guid = b.guid(at);
    const region = checkRegion(b, at, fileSize);
    const required = (b.u32le(at + 28) & 1) !== 0;
    if (guid !== BAT_REGION_GUID && guid !== METADATA_REGION_GUID) {
      if (required) throw unsupported(`VHDX required region ${guid}`, 'unknown to this reader');
      continue;
    }
    if (found.has(guid))
      throw corrupt(REGION_TABLE_STRUCTURE, offset + at, 'region listed twice', 'once', guid);
    found.set(guid, region);
  }
  return {
    bat: need(found, BAT_REGION_GUID, offset, 'BAT'),
    metadata: need(found, METADATA_REGION_GUID, offset, 'metadata'),
  };
}

function checkRegion(b: Bytes, at: number, fileSize: number): Region {
  const fileOffset = b.u64le(at + 16, 'region file offset');
  const length = b.u32le(at + 24);
  const entryOffset = b.base + at;
  if (fileOffset % MiB !== 0 || length % MiB !== 0 || fileOffset < MiB || length === 0) {
    throw corrupt(
      REGION_TABLE_STRUCTURE,
      entryOffset + 16,
      'region offset and length must be non-zero 1 MiB multiples past the header section',
      'MiB multiples',
      `${fileOffset}+${length}`,
    );
  }
  if (fileOffset + length > fileSize) {
    throw corrupt(
      REGION_TABLE_STRUCTURE,
      entryOffset + 16,
      'region extends past the end of the file',
      `<= ${fileSize}`,
      fileOffset + length,
    );
  }
  return { fileOffset, length, entryOffset };
}

function need(found: Map<string, Region>, guid: string, offset: number, what: string): Region {
  const r = found.get(guid);
  if (!r) throw corrupt(REGION_TABLE_STRUCTURE, offset, `no ${what} region`, guid, 'absent');
  return r;
}
