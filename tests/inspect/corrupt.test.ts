// A damaged filesystem does not stop inspection and is never silently skipped: one field of
// the Debian root's ext4 superblock is patched in a raw copy of the disk (offsets from
// sfdisk --json and the ext4 superblock layout), and inspect_os still inspects the rest and
// reports the damaged filesystem in its notes with the driver's EngineError (kind corrupt,
// structure named) — while `guestkit inspect` fails with virt-inspector's "no operating
// system" and prints the note as a warning.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../helpers/fixtures.js';
import { cliInspect, openGuest, rawCopy, sfdiskPartitions } from './helpers.js';

const dir = ensureFixture('debian');
const parts = sfdiskPartitions(path.join(dir, 'expected', 'partitions.json'));
const rootIndex = parts.findIndex((p) => p.name === 'root');
const rootDev = `/dev/sda${rootIndex + 1}`;
/** ext4 superblock at 1024 bytes into the filesystem; s_log_block_size at offset 0x18. */
const SB = 1024;
const S_LOG_BLOCK_SIZE = 0x18;
/** What the ext4 driver names the structure at fault (wasm/ext4 errors). */
const STRUCTURE = 'ext4 superblock';

let raw: string;
beforeAll(() => {
  raw = rawCopy(path.join(dir, 'disk.qcow2'));
  const at = parts[rootIndex]!.start * 512 + SB + S_LOG_BLOCK_SIZE;
  const fd = fs.openSync(raw, 'r+');
  const b = Buffer.alloc(4);
  b.writeUInt32LE(30, 0); // a 2^40-byte block: no ext4 allows it
  fs.writeSync(fd, b, 0, 4, at);
  fs.closeSync(fd);
});
afterAll(() => fs.rmSync(path.dirname(raw), { recursive: true, force: true }));

describe('a damaged root filesystem', () => {
  it('is reported in the notes with its corrupt error, not skipped silently', async () => {
    const g = await openGuest(raw);
    expect(g.inspect_os()).toEqual([]);
    const notes = g.inspect_notes();
    const note = notes.find((n) => n.device === rootDev)!;
    expect(note.kind).toBe('damaged');
    expect(note.type).toBe('ext4');
    expect(note.error?.kind).toBe('corrupt');
    expect(note.error?.structure).toBe(STRUCTURE);
    // The other filesystem (/boot) was still inspected: it is no OS root, and no note.
    expect(notes.map((n) => n.device)).toEqual([rootDev]);
    g.close();
  });

  it('makes guestkit inspect fail as virt-inspector does, saying why', async () => {
    const e = await cliInspect(['-a', raw]).catch((x: unknown) => x);
    expect((e as { kind?: string }).kind).toBe('EINVAL');
    expect(String((e as Error).message)).toMatch(/no operating system/);
  });
});
