// An EWF segment file: a 13-byte file header ("EVF\x09\x0d\x0a\xff\x00", the segment number)
// followed by a chain of sections, each introduced by a 76-byte descriptor (type, offset of
// the next section from the start of the file, size, Adler-32). The chain of the last
// segment ends with "done", of the others with "next"; both point to themselves. Segment
// files are named .E01 … .E99, .EAA … .EZZ, .FAA … (.s01 for SMART), by number.
// Reference: libewf "Expert Witness Compression Format (EWF)" §2.1 File header, §2.2
// Segment file extensions, §3.1 Section descriptor, §3.13 Next section, §3.19 Done section.

import { EngineError, corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes, asciiBytes } from '../../io/bytes.js';
import { adler32 } from './adler32.js';

export const FILE_HEADER_STRUCTURE = 'EWF file header';
export const SECTION_STRUCTURE = 'EWF section descriptor';
export const EVF_SIGNATURE = asciiBytes('EVF\x09\x0d\x0a\xff\x00');
const EVF2_SIGNATURE = asciiBytes('EVF2\x0d\x0a\x81\x00');
const LVF_SIGNATURE = asciiBytes('LVF\x09\x0d\x0a\xff\x00');
const LEF2_SIGNATURE = asciiBytes('LEF2\x0d\x0a\x81\x00');
export const FILE_HEADER_SIZE = 13;
export const DESCRIPTOR_SIZE = 76;
/**
 * Sections per segment file: EnCase writes a handful plus one sectors/table/table2 triple per
 * 16375 or 65534 chunks; a million sections would be a 64 GiB segment of 64 KiB tables.
 * More than this is a loop or damage, not an image.
 */
export const MAX_SECTIONS_PER_SEGMENT = 1 << 20;

export interface Section {
  /** The type string: "header", "volume", "sectors", "table", … */
  readonly type: string;
  /** File offset of the descriptor. */
  readonly offset: number;
  /** Size of the section including its descriptor (0 in EnCase's next/done). */
  readonly size: number;
  /** Offset of the section's data (after the descriptor). */
  readonly dataOffset: number;
}

export interface Segment {
  readonly number: number;
  readonly name: string;
  readonly file: BlockSource;
  readonly sections: readonly Section[];
  /** "done" (the last segment) or "next". */
  readonly last: boolean;
}

/** Which EWF family a head starts with, for the probe and for refusing the others. */
export function signatureKind(head: Uint8Array): 'ewf' | 'ewf2' | 'lvf' | undefined {
  const b = new Bytes(head, FILE_HEADER_STRUCTURE);
  if (b.equals(0, EVF_SIGNATURE)) return 'ewf';
  if (b.equals(0, EVF2_SIGNATURE)) return 'ewf2';
  if (b.equals(0, LVF_SIGNATURE) || b.equals(0, LEF2_SIGNATURE)) return 'lvf';
  return undefined;
}

/** Read the file header and walk the section chain of one segment file. */
export function readSegment(file: BlockSource, name: string, expectedNumber: number): Segment {
  if (file.size < FILE_HEADER_SIZE) {
    throw corrupt(
      FILE_HEADER_STRUCTURE,
      0,
      `${name}: shorter than a file header`,
      `>= ${FILE_HEADER_SIZE}`,
      file.size,
    );
  }
  const h = new Bytes(file.readAt(0, FILE_HEADER_SIZE), FILE_HEADER_STRUCTURE, 0);
  const kind = signatureKind(h.buf);
  if (kind === 'ewf2')
    throw unsupported('EWF2 (Ex01) images', 'only EWF version 1 (E01/S01) is read');
  if (kind === 'lvf')
    throw unsupported('EWF logical evidence files (L01)', 'they hold files, not a disk');
  if (kind !== 'ewf')
    throw corrupt(
      FILE_HEADER_STRUCTURE,
      0,
      `${name}: bad signature`,
      'EVF\\x09\\x0d\\x0a\\xff\\x00',
      JSON.stringify(h.ascii(0, 8)),
    );
  const number = h.u16le(9);
  if (expectedNumber === 1 && number > 1) {
    throw new EngineError(
      'EINVAL',
      `${name} is segment ${number} of an EWF set: open its first segment (.E01)`,
      { path: name },
    );
  }
  if (number !== expectedNumber) {
    throw corrupt(FILE_HEADER_STRUCTURE, 9, `${name}: segment number`, expectedNumber, number);
  }
  const { sections, last } = walkSections(file, name);
  return { number, name, file, sections, last };
}

function walkSections(file: BlockSource, name: string): { sections: Section[]; last: boolean } {
  const sections: Section[] = [];
  for (let offset = FILE_HEADER_SIZE; ;) {
    if (sections.length >= MAX_SECTIONS_PER_SEGMENT) {
      throw corrupt(
        SECTION_STRUCTURE,
        offset,
        `${name}: more than MAX_SECTIONS_PER_SEGMENT sections`,
        `<= ${MAX_SECTIONS_PER_SEGMENT}`,
        sections.length,
      );
    }
    const s = readDescriptor(file, offset, name);
    sections.push(s.section);
    if (s.section.type === 'done' || s.section.type === 'next') {
      return { sections, last: s.section.type === 'done' };
    }
    // The chain only moves forward: anything else is a loop or damage.
    if (s.next <= offset || s.next + DESCRIPTOR_SIZE > file.size) {
      throw corrupt(
        SECTION_STRUCTURE,
        offset + 16,
        `${name}: next section offset`,
        `${offset + DESCRIPTOR_SIZE}..${file.size - DESCRIPTOR_SIZE}`,
        s.next,
      );
    }
    offset = s.next;
  }
}

function readDescriptor(
  file: BlockSource,
  offset: number,
  name: string,
): { section: Section; next: number } {
  if (offset + DESCRIPTOR_SIZE > file.size) {
    throw corrupt(
      SECTION_STRUCTURE,
      offset,
      `${name}: section chain runs past the end of the file (no done or next section)`,
      `<= ${file.size}`,
      offset + DESCRIPTOR_SIZE,
    );
  }
  const b = new Bytes(file.readAt(offset, DESCRIPTOR_SIZE), SECTION_STRUCTURE, offset);
  const sum = adler32(b.raw(0, 72));
  if (b.u32le(72) !== sum) {
    throw corrupt(SECTION_STRUCTURE, offset + 72, `${name}: checksum mismatch`, sum, b.u32le(72));
  }
  const next = b.u64le(16, 'next section offset');
  const size = b.u64le(24, 'section size');
  const type = b.ascii(0, 16);
  if (size !== 0 && offset + size > file.size) {
    throw corrupt(
      SECTION_STRUCTURE,
      offset + 24,
      `${name}: ${type} section extends past the end of the file`,
      `<= ${file.size}`,
      offset + size,
    );
  }
  return { section: { type, offset, size, dataOffset: offset + DESCRIPTOR_SIZE }, next };
}

/**
 * The file name of segment `n` of the set whose first file is `first` ("disk.E01"): E01 …
 * E99, then EAA … EZZ, FAA … ZZZ, keeping the first file's letter case.
 */
export function segmentName(first: string, n: number): string {
  const m = /^(.*\.)([A-Za-z])(\d\d)$/.exec(first);
  if (!m)
    throw new EngineError(
      'EINVAL',
      `${first}: an EWF set is opened by its first segment (.E01 or .s01)`,
      { path: first },
    );
  const [, stem, letter] = m as unknown as [string, string, string];
  if (n <= 99) return `${stem}${letter}${String(n).padStart(2, '0')}`;
  const k = n - 100;
  const upper = letter === letter.toUpperCase();
  const a = (upper ? 'A' : 'a').charCodeAt(0);
  const first3 = letter.charCodeAt(0) + Math.floor(k / 676);
  if (first3 > (upper ? 'Z' : 'z').charCodeAt(0))
    throw unsupported(`EWF segment ${n}`, 'past the last extension (ZZZ)');
  return `${stem}${String.fromCharCode(first3, a + (Math.floor(k / 26) % 26), a + (k % 26))}`;
}
