// SquashFS superblock at offset 0. Version 4 little-endian images are TYPE=squashfs;
// older layouts (either byte order, major < 4) are what libblkid calls squashfs3.
// Reference: kernel fs/squashfs/squashfs_fs.h struct squashfs_super_block; util-linux
// libblkid superblocks/squashfs.c.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { FsProber } from './types.js';

const MAGIC_LE = magic('hsqs', 0);
const MAGIC_BE = magic('sqsh', 0);
/** s_major and s_minor sit at 28 and 30 in every squashfs version. */
const SB_LEN = 32;

function version(
  r: Parameters<typeof findMagic>[0],
  bigEndian: boolean,
): [number, number] | undefined {
  const buf = r.bytes(0, SB_LEN);
  if (!buf) return undefined;
  const sb = new Bytes(buf, 'squashfs superblock', 0);
  return bigEndian ? [sb.u16be(28), sb.u16be(30)] : [sb.u16le(28), sb.u16le(30)];
}

export const squashfsProber = {
  type: 'squashfs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [MAGIC_LE])) return undefined;
      const v = version(r, false);
      if (!v || v[0] < 4) return undefined;
      return new Found().set('VERSION', `${v[0]}.${v[1]}`).result('squashfs', 'filesystem');
    }),
} satisfies FsProber;

export const squashfs3Prober = {
  type: 'squashfs3',
  probe: (src) =>
    guarded(src, (r) => {
      const m = findMagic(r, [MAGIC_BE, MAGIC_LE]);
      if (!m) return undefined;
      const v = version(r, m === MAGIC_BE);
      if (!v || v[0] > 3) return undefined;
      return new Found()
        .set('VERSION', `${v[0]}.${v[1]}`)
        .set('BLOCK_SIZE', '1024')
        .result('squashfs3', 'filesystem');
    }),
} satisfies FsProber;
