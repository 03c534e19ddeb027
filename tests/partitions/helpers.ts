// Shared by the partition tests: the fixture disks, their sfdisk --json answers, a source
// that patches bytes over another (for corruption tests), and the comparison of our table
// with sfdisk's.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expect } from 'vitest';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import type { PartitionTable } from '../../src/engine/partitions/types.js';
import { ensureFixture } from '../helpers/fixtures.js';

export interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  uuid?: string;
  name?: string;
  bootable?: boolean;
  attrs?: string;
}

export interface SfdiskTable {
  label: 'dos' | 'gpt';
  id: string;
  sectorsize: number;
  firstlba?: number;
  lastlba?: number;
  partitions: SfdiskPartition[];
}

export const fixtureDir = (): string => ensureFixture('partitions');

export function fixtureDisk(name: string): NodeFileSource {
  return new NodeFileSource(path.join(fixtureDir(), name));
}

export function expectedJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(fixtureDir(), 'expected', file), 'utf8')) as T;
}

export function sfdisk(disk: string, file = `${disk}.sfdisk.json`): SfdiskTable {
  return expectedJson<{ partitiontable: SfdiskTable }>(file).partitiontable;
}

/** sfdisk names partition N of DISK "DISKN": the number is the node's trailing digits. */
export const partnumOf = (p: SfdiskPartition): number => Number(/(\d+)$/.exec(p.node)![1]);

/** sfdisk's GPT attribute words → the 64-bit value (UEFI Table 5-7 bit numbers). */
export function sfdiskAttrs(attrs: string | undefined): bigint {
  let v = 0n;
  for (const word of (attrs ?? '').split(/\s+/).filter(Boolean)) {
    if (word === 'RequiredPartition') v |= 1n;
    else if (word === 'NoBlockIOProtocol') v |= 2n;
    else if (word === 'LegacyBIOSBootable') v |= 4n;
    else if (word.startsWith('GUID:'))
      for (const bit of word.slice(5).split(',')) v |= 1n << BigInt(bit);
    else throw new Error(`unknown sfdisk attribute ${word}`);
  }
  return v;
}

export const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

/** Our table equals what sfdisk --json printed for the same disk. */
export function expectMatchesSfdisk(table: PartitionTable | undefined, sf: SfdiskTable): void {
  expect(table).toBeDefined();
  const t = table!;
  expect(t.type).toBe(sf.label === 'dos' ? 'msdos' : 'gpt');
  expect(t.sectorSize).toBe(sf.sectorsize);
  const ss = t.sectorSize;
  if (sf.label === 'dos') {
    expect(`0x${t.id}`).toBe(sf.id);
    const ours = t.partitions.map((p) => ({
      n: p.partnum,
      start: p.start / ss,
      size: p.size / ss,
      type: p.mbrId!.toString(16),
      bootable: p.bootable,
    }));
    const theirs = sf.partitions.map((p) => ({
      n: partnumOf(p),
      start: p.start,
      size: p.size,
      type: p.type,
      bootable: p.bootable === true,
    }));
    expect(ours).toEqual(theirs);
    return;
  }
  expect(t.id).toBe(sf.id);
  expect(t.firstUsableLba).toBe(sf.firstlba);
  expect(t.lastUsableLba).toBe(sf.lastlba);
  const ours = t.partitions.map((p) => ({
    n: p.partnum,
    start: p.start / ss,
    size: p.size / ss,
    type: p.gptType,
    uuid: p.gptGuid,
    name: p.name,
    attrs: BigInt(p.gptAttributes!),
    bootable: p.bootable,
  }));
  // parted (behind libguestfs' part_get_bootable) calls a GPT partition bootable when its
  // type is the EFI System Partition's.
  const theirs = sf.partitions.map((p) => ({
    n: partnumOf(p),
    start: p.start,
    size: p.size,
    type: p.type,
    uuid: p.uuid,
    name: p.name ?? '',
    attrs: sfdiskAttrs(p.attrs),
    bootable: p.type === ESP_TYPE,
  }));
  expect(ours).toEqual(theirs);
}

/** A source that returns `inner`'s bytes with some ranges replaced: one-field corruption. */
export class PatchedSource implements BlockSource {
  readonly size: number;
  readonly name: string;
  private readonly patches: { offset: number; bytes: Uint8Array }[] = [];

  constructor(private readonly inner: BlockSource) {
    this.size = inner.size;
    this.name = `patched ${inner.name ?? 'source'}`;
  }

  patch(offset: number, bytes: Uint8Array | number[]): this {
    this.patches.push({ offset, bytes: Uint8Array.from(bytes) });
    return this;
  }

  u32le(offset: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.patch(offset, b);
  }

  u64le(offset: number, value: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, value, true);
    return this.patch(offset, b);
  }

  readAt(offset: number, length: number): Uint8Array {
    const out = this.inner.readAt(offset, length);
    for (const p of this.patches) {
      for (let i = 0; i < p.bytes.length; i++) {
        const at = p.offset + i - offset;
        if (at >= 0 && at < length) out[at] = p.bytes[i]!;
      }
    }
    return out;
  }

  /** Recompute a GPT header's CRC32 with zlib (so the field under test is what fails). */
  fixGptHeaderCrc(headerOffset: number): this {
    const size = new DataView(this.readAt(headerOffset + 12, 4).buffer).getUint32(0, true);
    const header = this.readAt(headerOffset, size);
    header.fill(0, 16, 20);
    return this.u32le(headerOffset + 16, zlib.crc32(header));
  }
}

/** Little-endian fields of a raw sector, read by the test itself. */
export const le32 = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);
export const le64 = (b: Uint8Array, off: number): number =>
  Number(new DataView(b.buffer, b.byteOffset).getBigUint64(off, true));
