// F2FS superblock at 1 KiB. libblkid takes the label (UTF-16LE), UUID, version and
// block size; a version 1.0 superblock has an unknown layout and is accepted bare.
// Reference: kernel include/linux/f2fs_fs.h struct f2fs_super_block; util-linux
// libblkid superblocks/f2fs.c. (libblkid 2.38 does not verify the superblock CRC.)

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import { dceUuid, utf8Label } from './text.js';
import type { FsProber } from './types.js';

const SB_OFFSET = 1024;
const F2FS_MAGIC = magic([0x10, 0x20, 0xf5, 0xf2], SB_OFFSET);
/** Up to the end of volume_name[512] (UTF-16) at 0x7c. */
const SB_LEN = 0x7c + 1024;

export const f2fsProber = {
  type: 'f2fs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [F2FS_MAGIC])) return undefined;
      const buf = r.bytes(SB_OFFSET, SB_LEN);
      if (!buf) return undefined;
      const sb = new Bytes(buf, 'f2fs superblock', SB_OFFSET);
      const major = sb.u16le(4);
      const minor = sb.u16le(6);
      const f = new Found();
      if (major === 1 && minor === 0) return f.result('f2fs', 'filesystem');
      if (sb.u8(0x7c) !== 0) f.set('LABEL', utf8Label(sb.raw(0x7c, 1024), 'utf16le'));
      f.set('UUID', dceUuid(sb.raw(0x6c, 16)));
      f.set('VERSION', `${major}.${minor}`);
      const logBlock = sb.u32le(0x10);
      if (logBlock < 32) f.set('BLOCK_SIZE', String(2 ** logBlock));
      return f.result('f2fs', 'filesystem');
    }),
} satisfies FsProber;
