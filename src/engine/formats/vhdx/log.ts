// The VHDX log: a circular buffer of entries, each a header, descriptors (data or zero) and
// 4 KiB data sectors, written before metadata and BAT updates are made in place. When the
// current header's LogGuid is non-zero the writer may have stopped between the two, so the
// active sequence must be replayed before the metadata means anything. We never write the
// file: the replay becomes an in-memory overlay (ReplayedSource) that every later read of
// the file goes through.
// Reference: [MS-VHDX] §2.3 Log (§2.3.1 entry header, §2.3.1.2-3 zero and data descriptors,
// §2.3.1.4 data sector, §2.3.2 log sequence, §2.3.3 log replay: the active sequence is the
// valid sequence with the largest head sequence number, replayed from its tail).

import { corrupt } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { Bytes, checkedAlloc } from '../../io/bytes.js';
import { MiB, checksumWithoutField, hex, type VhdxHeader } from './header.js';

export const LOG_ENTRY_STRUCTURE = 'VHDX log entry';
const SECTOR = 4096;
const ENTRY_SIGNATURE = 0x65676f6c; // "loge"
const ZERO_SIGNATURE = 0x6f72657a; // "zero"
const DESC_SIGNATURE = 0x63736564; // "desc"
const DATA_SIGNATURE = 0x61746164; // "data"
/**
 * The log is read whole when it must be replayed. Writers make 1 MiB logs (Hyper-V, QEMU's
 * default); 32 MiB leaves room for larger log_size choices without trusting any length.
 */
export const MAX_LOG_LENGTH = 32 * MiB;

/** One write of the replay: `data` (4 KiB) or zeros when undefined. */
export interface LogWrite {
  readonly offset: number;
  readonly length: number;
  readonly data: Uint8Array | undefined;
}

interface LogEntry {
  readonly pos: number;
  readonly length: number;
  readonly sequence: bigint;
  readonly tail: number;
  readonly flushedFileOffset: number;
  readonly lastFileOffset: number;
  readonly writes: LogWrite[];
}

export interface LogReplay {
  readonly writes: readonly LogWrite[];
  readonly entries: number;
  readonly headSequence: bigint;
  /** The file's size after replay (the head entry's LastFileOffset, if larger). */
  readonly size: number;
}

/**
 * Find and decode the active sequence. Undefined when the log holds no entry of this
 * LogGuid: a writer stopped after setting the LogGuid but before its first entry, so
 * nothing was changed in place. Entries of this log that fail validation while no valid
 * sequence exists are damage: their in-place writes may have begun, and ignoring them
 * would give silently wrong metadata, so that is an error.
 */
export function replayLog(file: BlockSource, h: VhdxHeader): LogReplay | undefined {
  checkedAlloc(LOG_ENTRY_STRUCTURE, h.offset + 68, h.logLength, MAX_LOG_LENGTH, 'MAX_LOG_LENGTH');
  const log = file.readAt(h.logOffset, h.logLength);
  const reader = new EntryReader(log, h);
  const active = findActiveSequence(reader);
  if (!active) {
    if (reader.firstRejection) throw reader.firstRejection;
    return undefined;
  }
  const head = active[active.length - 1]!;
  if (head.flushedFileOffset > file.size) {
    throw corrupt(
      LOG_ENTRY_STRUCTURE,
      h.logOffset + head.pos + 48,
      'file shorter than the log says it was flushed to (truncated)',
      `>= ${head.flushedFileOffset}`,
      file.size,
    );
  }
  return {
    writes: active.flatMap((e) => e.writes),
    entries: active.length,
    headSequence: head.sequence,
    size: Math.max(file.size, head.lastFileOffset),
  };
}

/**
 * Scan every 4 KiB position; from each valid entry follow entries with consecutive
 * sequence numbers. A chain's head names its tail; the chain from that tail to the head is
 * a candidate, and the candidate with the largest head sequence number is active. A chain
 * is not rescanned from its inner entries (they give the same head), so the scan is linear.
 */
function findActiveSequence(r: EntryReader): LogEntry[] | undefined {
  let best: LogEntry[] | undefined;
  for (let pos = 0; pos < r.length;) {
    const first = r.entry(pos);
    if (!first) {
      pos += SECTOR;
      continue;
    }
    const chain = followChain(r, first);
    const head = chain[chain.length - 1]!;
    const start = chain.findIndex((e) => e.pos === head.tail);
    if (start >= 0 && (!best || head.sequence > best[best.length - 1]!.sequence)) {
      best = chain.slice(start);
    }
    const end = first.pos + chain.reduce((n, e) => n + e.length, 0);
    if (end >= r.length) break; // the chain wrapped: everything after it was scanned
    pos = end;
  }
  return best;
}

function followChain(r: EntryReader, first: LogEntry): LogEntry[] {
  const chain = [first];
  let covered = first.length;
  for (;;) {
    const last = chain[chain.length - 1]!;
    const next = r.entry((last.pos + last.length) % r.length);
    if (!next || next.sequence !== last.sequence + 1n || covered + next.length > r.length)
      return chain;
    chain.push(next);
    covered += next.length;
  }
}

class EntryReader {
  readonly length: number;
  /** The first entry of this log (signature and LogGuid right) that failed validation. */
  firstRejection: Error | undefined;

  constructor(
    private readonly log: Uint8Array,
    private readonly h: VhdxHeader,
  ) {
    this.length = log.length;
  }

  /** The valid entry at `pos`, or undefined (remembering why, if it was one of ours). */
  entry(pos: number): LogEntry | undefined {
    const head = new Bytes(
      this.log.subarray(pos, pos + 64),
      LOG_ENTRY_STRUCTURE,
      this.h.logOffset + pos,
    );
    if (head.length < 64 || head.u32le(0) !== ENTRY_SIGNATURE) return undefined;
    if (!sameBytes(head.raw(32, 16), this.h.logGuidBytes)) return undefined; // an older log's entry
    try {
      return this.decode(pos, head.u32le(8));
    } catch (e) {
      this.firstRejection ??= e as Error;
      return undefined;
    }
  }

  private decode(pos: number, length: number): LogEntry {
    const base = this.h.logOffset + pos;
    if (length < SECTOR || length % SECTOR !== 0 || length > this.length) {
      throw corrupt(
        LOG_ENTRY_STRUCTURE,
        base + 8,
        'bad entry length',
        `4 KiB multiple <= ${this.length}`,
        length,
      );
    }
    const buf = this.circular(pos, length);
    const b = new Bytes(buf, LOG_ENTRY_STRUCTURE, base);
    const sum = checksumWithoutField(buf, 4);
    if (b.u32le(4) !== sum)
      throw corrupt(LOG_ENTRY_STRUCTURE, base + 4, 'checksum mismatch', hex(sum), hex(b.u32le(4)));
    const tail = b.u32le(12);
    if (tail % SECTOR !== 0 || tail >= this.length) {
      throw corrupt(
        LOG_ENTRY_STRUCTURE,
        base + 12,
        'tail outside the log',
        `4 KiB multiple < ${this.length}`,
        tail,
      );
    }
    const sequence = b.u64leBig(16);
    return {
      pos,
      length,
      sequence,
      tail,
      flushedFileOffset: b.u64le(48, 'flushed file offset'),
      lastFileOffset: b.u64le(56, 'last file offset'),
      writes: decodeDescriptors(b, sequence),
    };
  }

  /** `length` bytes from `pos`, wrapping at the end of the log (entries may straddle it). */
  private circular(pos: number, length: number): Uint8Array {
    if (pos + length <= this.length) return this.log.subarray(pos, pos + length);
    const out = new Uint8Array(length);
    out.set(this.log.subarray(pos));
    out.set(this.log.subarray(0, length - (this.length - pos)), this.length - pos);
    return out;
  }
}

/** Descriptors follow the 64-byte header; data sectors follow the descriptor sectors. */
function decodeDescriptors(b: Bytes, sequence: bigint): LogWrite[] {
  const count = b.u32le(24);
  const descBytes = Math.ceil((64 + count * 32) / SECTOR) * SECTOR;
  if (descBytes > b.length) {
    throw corrupt(
      LOG_ENTRY_STRUCTURE,
      b.base + 24,
      'descriptor count exceeds the entry',
      `<= ${(b.length - 64) / 32}`,
      count,
    );
  }
  const writes: LogWrite[] = [];
  let dataAt = descBytes;
  for (let i = 0; i < count; i++) {
    const d = b.sub(64 + i * 32, 32);
    const sig = d.u32le(0);
    if (d.u64leBig(24) !== sequence)
      throw corrupt(
        LOG_ENTRY_STRUCTURE,
        d.base + 24,
        'descriptor sequence number differs from the entry',
        sequence,
        d.u64leBig(24),
      );
    const fileOffset = d.u64le(16, 'file offset');
    if (fileOffset % SECTOR !== 0)
      throw corrupt(
        LOG_ENTRY_STRUCTURE,
        d.base + 16,
        'file offset not 4 KiB aligned',
        'multiple of 4096',
        fileOffset,
      );
    if (sig === ZERO_SIGNATURE) {
      const length = d.u64le(8, 'zero length');
      if (length % SECTOR !== 0)
        throw corrupt(
          LOG_ENTRY_STRUCTURE,
          d.base + 8,
          'zero length not 4 KiB aligned',
          'multiple of 4096',
          length,
        );
      writes.push({ offset: fileOffset, length, data: undefined });
    } else if (sig === DESC_SIGNATURE) {
      writes.push({ offset: fileOffset, length: SECTOR, data: dataSector(b, d, dataAt, sequence) });
      dataAt += SECTOR;
    } else {
      throw corrupt(
        LOG_ENTRY_STRUCTURE,
        d.base,
        'unknown descriptor signature',
        '"zero" or "desc"',
        hex(sig),
      );
    }
  }
  return writes;
}

/** The sector a data descriptor stands for: its 8 leading bytes, 4084 logged, 4 trailing. */
function dataSector(b: Bytes, d: Bytes, at: number, sequence: bigint): Uint8Array {
  if (at + SECTOR > b.length)
    throw corrupt(
      LOG_ENTRY_STRUCTURE,
      d.base,
      'data descriptor without its data sector',
      `<= ${b.length}`,
      at + SECTOR,
    );
  const s = b.sub(at, SECTOR);
  if (s.u32le(0) !== DATA_SIGNATURE)
    throw corrupt(
      LOG_ENTRY_STRUCTURE,
      s.base,
      'bad data sector signature',
      '"data"',
      hex(s.u32le(0)),
    );
  const seq = (BigInt(s.u32le(4)) << 32n) | BigInt(s.u32le(4092));
  if (seq !== sequence)
    throw corrupt(
      LOG_ENTRY_STRUCTURE,
      s.base + 4,
      'data sector sequence number differs from the entry',
      sequence,
      seq,
    );
  const out = new Uint8Array(SECTOR);
  out.set(d.raw(8, 8), 0);
  out.set(s.raw(8, 4084), 8);
  out.set(d.raw(4, 4), 4092);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The file as it would be after replaying the log: reads see the logged writes (later
 * ones win), and the file extended to the head entry's LastFileOffset reads as zeros.
 */
export class ReplayedSource implements BlockSource {
  readonly size: number;
  readonly name: string;

  constructor(
    private readonly file: BlockSource,
    private readonly replay: LogReplay,
  ) {
    this.size = replay.size;
    this.name = `${file.name ?? 'vhdx'} (log replayed)`;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const inFile = Math.max(0, Math.min(length, this.file.size - offset));
    let out = inFile > 0 ? this.file.readAt(offset, inFile) : new Uint8Array(0);
    let copied = false;
    if (inFile < length) {
      const full = new Uint8Array(length);
      full.set(out);
      out = full;
      copied = true;
    }
    const end = offset + length;
    for (const w of this.replay.writes) {
      const from = Math.max(offset, w.offset);
      const to = Math.min(end, w.offset + w.length);
      if (from >= to) continue;
      // The file's buffer may be a page cache's: modify a copy.
      if (!copied) {
        out = out.slice();
        copied = true;
      }
      if (w.data) out.set(w.data.subarray(from - w.offset, to - w.offset), from - offset);
      else out.fill(0, from - offset, to - offset);
    }
    return out;
  }
}
