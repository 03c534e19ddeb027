// Linux swap areas (SWAPSPACE2, the old SWAP-SPACE) and hibernation images, which
// overwrite the magic at the end of the first page with their own. The magic sits at
// page size - 10 for page sizes 4 KiB .. 64 KiB; the v1 header (label, UUID) at 1 KiB.
// Reference: kernel include/linux/swap.h union swap_header; util-linux libblkid
// superblocks/swap.c.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic, type Magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { dceUuid, rawLabel } from './text.js';
import type { FsProber, ProbeResult } from './types.js';

const PAGE_ENDS = [0xff6, 0x1ff6, 0x3ff6, 0x7ff6, 0xfff6];
/** blkid ignores devices smaller than 10 pages for swap signatures. */
const MIN_SIZE = 10 * 4096;
const TOI_MAGIC = [0xed, 0xc3, 0x02, 0xe9, 0x98, 0x56, 0xe5, 0x0c];
const HEADER_OFFSET = 1024;
/** version, last_page, nr_badpages, uuid, volume name, padding[117]. */
const HEADER_LEN = 12 + 16 + 16 + 117 * 4;

const SWAP_MAGICS: readonly Magic[] = PAGE_ENDS.flatMap((e) => [
  magic('SWAP-SPACE', e),
  magic('SWAPSPACE2', e),
]);
const SUSPEND_NAMES = ['S1SUSPEND', 'S2SUSPEND', 'ULSUSPEND', 'LINHIB0001'];
const SUSPEND_MAGICS: readonly Magic[] = [
  magic(TOI_MAGIC, 0),
  ...PAGE_ENDS.flatMap((e) => SUSPEND_NAMES.map((n) => magic(n, e))),
];

/** swap_set_info: the v1 header's label and UUID, VERSION as given. */
function swapInfo(r: ProbeReader, version: string, type: string): ProbeResult | undefined {
  const buf = r.bytes(HEADER_OFFSET, HEADER_LEN);
  if (!buf) return undefined;
  const h = new Bytes(buf, 'swap header', HEADER_OFFSET);
  if (version === '1') {
    const v = h.u32le(0);
    if (v !== 1 && v !== 0x01000000) return undefined; // either byte order
    if (h.u32le(4) === 0) return undefined; // last_page unset
  }
  const f = new Found();
  // "Arbitrary sanity check" of libblkid: garbage in padding[32..33] hides label and UUID.
  if (h.u32le(44 + 32 * 4) === 0 && h.u32le(44 + 33 * 4) === 0) {
    if (h.u8(28) !== 0) f.set('LABEL', rawLabel(h.raw(28, 16)));
    f.set('UUID', dceUuid(h.raw(12, 16)));
  }
  f.set('VERSION', version);
  return f.result(type, 'other');
}

const isToi = (r: ProbeReader): boolean => {
  const b = r.bytes(0, TOI_MAGIC.length);
  return !!b && b.every((x, i) => x === TOI_MAGIC[i]);
};

export const swapProber = {
  type: 'swap',
  probe: (src) =>
    guarded(src, (r) => {
      if (r.size < MIN_SIZE) return undefined;
      const m = findMagic(r, SWAP_MAGICS);
      // TuxOnIce keeps a valid swap header at the end of the first page: not swap.
      if (!m || isToi(r)) return undefined;
      if (m.bytes[4] === 0x2d) return new Found().set('VERSION', '0').result('swap', 'other');
      return swapInfo(r, '1', 'swap');
    }),
} satisfies FsProber;

export const swsuspendProber = {
  type: 'swsuspend',
  probe: (src) =>
    guarded(src, (r) => {
      if (r.size < MIN_SIZE) return undefined;
      const m = findMagic(r, SUSPEND_MAGICS);
      if (!m) return undefined;
      const name = m.bytes[0] === 0xed ? 'tuxonice' : String.fromCharCode(...m.bytes).toLowerCase();
      return swapInfo(r, name, 'swsuspend');
    }),
} satisfies FsProber;
