// ext2/ext3/ext4 superblocks and ext3/4 external journal devices (jbd). One on-disk
// structure, several blkid TYPEs: which one a superblock is depends only on feature
// flags, decided exactly as libblkid does (the first prober in registry order that
// accepts the flags wins: ext4dev, ext4, ext3, ext2, jbd).
// Reference: kernel Documentation/filesystems/ext4/super.rst; util-linux libblkid
// superblocks/ext.c (2.38: the decision depends on the superblock alone; older versions
// also asked /proc/filesystems).

import { Bytes } from '../../io/bytes.js';
import { Found, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { dceUuid, rawLabel } from './text.js';
import type { FsProber, ProbeResult } from './types.js';

const SB_OFFSET = 1024;
/** libblkid reads 0x200 bytes of the superblock; every field it uses lies in them. */
const SB_READ = 0x200;
const EXT_MAGIC = magic([0x53, 0xef], SB_OFFSET + 0x38);

const COMPAT_HAS_JOURNAL = 0x0004;
const INCOMPAT_FILETYPE = 0x0002;
const INCOMPAT_RECOVER = 0x0004;
const INCOMPAT_JOURNAL_DEV = 0x0008;
const INCOMPAT_META_BG = 0x0010;
/** s_flags: "test filesystem", meant for the in-development ext4dev driver. */
const FLAGS_TEST_FILESYS = 0x0004;
const RO_COMPAT_SPARSE_SUPER = 0x0001;
const RO_COMPAT_LARGE_FILE = 0x0002;
const RO_COMPAT_BTREE_DIR = 0x0004;

/** Features an ext2 driver understands; anything else makes the filesystem ext3/ext4. */
const EXT2_RO_COMPAT_SUPP = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;
const EXT2_INCOMPAT_SUPP = INCOMPAT_FILETYPE | INCOMPAT_META_BG;
const EXT3_RO_COMPAT_SUPP = EXT2_RO_COMPAT_SUPP;
const EXT3_INCOMPAT_SUPP = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;

interface ExtSuperblock {
  compat: number;
  incompat: number;
  roCompat: number;
  flags: number;
  sb: Bytes;
}

function readSuperblock(r: ProbeReader): ExtSuperblock | undefined {
  const m = r.bytes(EXT_MAGIC.at, 2);
  if (!m || m[0] !== 0x53 || m[1] !== 0xef) return undefined;
  // A truncated device (a header fragment) still probes from the fields that exist.
  const len = Math.min(SB_READ, r.size - SB_OFFSET);
  const buf = r.bytes(SB_OFFSET, len);
  if (!buf) return undefined;
  const sb = new Bytes(buf, 'ext superblock', SB_OFFSET);
  return {
    compat: sb.u32le(0x5c),
    incompat: sb.u32le(0x60),
    roCompat: sb.u32le(0x64),
    flags: sb.length >= 0x164 ? sb.u32le(0x160) : 0,
    sb,
  };
}

/** ext_get_info: LABEL, UUID, EXT_JOURNAL, SEC_TYPE, VERSION, BLOCK_SIZE. */
function describe(es: ExtSuperblock, ver: 2 | 3 | 4, isJbd = false): Found {
  const { sb } = es;
  const f = new Found();
  f.set('LABEL', rawLabel(sb.raw(0x78, 16)));
  f.set('UUID', dceUuid(sb.raw(0x68, 16)));
  if (es.compat & COMPAT_HAS_JOURNAL) f.set('EXT_JOURNAL', dceUuid(sb.raw(0xd0, 16)));
  if (ver !== 2 && (es.incompat & ~EXT2_INCOMPAT_SUPP) === 0) f.set('SEC_TYPE', 'ext2');
  f.set('VERSION', `${sb.u32le(0x4c)}.${sb.u16le(0x3e)}`);
  if (isJbd) f.set('LOGUUID', dceUuid(sb.raw(0x68, 16)));
  const logBlock = sb.u32le(0x18);
  if (logBlock < 32) f.set('BLOCK_SIZE', String(1024 * 2 ** logBlock));
  return f;
}

function extProber(type: string, accept: (es: ExtSuperblock) => 2 | 3 | 4 | undefined): FsProber {
  return {
    type,
    probe: (src) =>
      guarded(src, (r): ProbeResult | undefined => {
        const es = readSuperblock(r);
        const ver = es && accept(es);
        return ver ? describe(es, ver).result(type, 'filesystem') : undefined;
      }),
  };
}

/** ext4: at least one feature ext3 does not understand, and not a journal device. */
export const ext4Prober = extProber('ext4', (es) => {
  if (es.incompat & INCOMPAT_JOURNAL_DEV) return undefined;
  const beyondExt3 = es.roCompat & ~EXT3_RO_COMPAT_SUPP || es.incompat & ~EXT3_INCOMPAT_SUPP;
  if (!beyondExt3) return undefined;
  // A filesystem flagged for in-development code is ext4dev's, not ext4's.
  if (es.flags & FLAGS_TEST_FILESYS) return undefined;
  return 4;
}) satisfies FsProber;

/** ext4dev: any non-journal-device superblock flagged TEST_FILESYS (probed before ext4). */
export const ext4devProber = extProber('ext4dev', (es) => {
  if (es.incompat & INCOMPAT_JOURNAL_DEV) return undefined;
  return es.flags & FLAGS_TEST_FILESYS ? 4 : undefined;
}) satisfies FsProber;

/** ext3: has a journal and no feature outside ext3's set. */
export const ext3Prober = extProber('ext3', (es) => {
  if (!(es.compat & COMPAT_HAS_JOURNAL)) return undefined;
  if (es.roCompat & ~EXT3_RO_COMPAT_SUPP || es.incompat & ~EXT3_INCOMPAT_SUPP) return undefined;
  return 3;
}) satisfies FsProber;

/** ext2: no journal and no feature outside ext2's set. */
export const ext2Prober = extProber('ext2', (es) => {
  if (es.compat & COMPAT_HAS_JOURNAL) return undefined;
  if (es.roCompat & ~EXT2_RO_COMPAT_SUPP || es.incompat & ~EXT2_INCOMPAT_SUPP) return undefined;
  return 2;
}) satisfies FsProber;

/** jbd: an external journal device (mke2fs -O journal_dev); libblkid calls it usage "other". */
export const jbdProber = {
  type: 'jbd',
  probe: (src) =>
    guarded(src, (r) => {
      const es = readSuperblock(r);
      if (!es || !(es.incompat & INCOMPAT_JOURNAL_DEV)) return undefined;
      return describe(es, 2, true).result('jbd', 'other');
    }),
} satisfies FsProber;
