// LUKS1 and LUKS2 headers. The primary header sits at 0 ("LUKS\xba\xbe"); when it is
// damaged, libblkid finds a LUKS2 secondary header ("SKUL\xba\xbe") at one of the fixed
// offsets where cryptsetup may put it, and accepts a LUKS2 header only at the offset
// its hdr_offset field names.
// Reference: LUKS1 On-Disk Format Specification 1.2.3 (phdr); LUKS2 On-Disk Format
// Specification, section 2 (binary header); util-linux libblkid superblocks/luks.c.

import { Bytes } from '../../io/bytes.js';
import { Found, guarded } from './prober.js';
import type { ProbeReader } from './reader.js';
import { idLabel, rawLabel, textUuid } from './text.js';
import type { FsProber, ProbeResult } from './types.js';

const MAGIC_1 = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe];
const MAGIC_2 = [0x53, 0x4b, 0x55, 0x4c, 0xba, 0xbe];
const SECONDARY_OFFSETS = [
  0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000,
];
/** The LUKS2 binary header up to the end of hdr_offset; LUKS1 needs only 208 bytes. */
const HEADER_LEN = 264;
const LUKS1_LEN = 208;

/** The header at `offset` when it carries `magic` (and, for LUKS2, names this offset). */
function headerAt(r: ProbeReader, offset: number, magic: number[]): Bytes | undefined {
  // LUKS1 headers can be as short as 208 bytes in a header fragment.
  const buf = r.bytes(offset, HEADER_LEN) ?? r.bytes(offset, LUKS1_LEN);
  if (!buf || !magic.every((x, i) => buf[i] === x)) return undefined;
  const h = new Bytes(buf, 'LUKS header', offset);
  if (h.u16be(6) === 2 && (h.length < HEADER_LEN || h.u64beBig(256) !== BigInt(offset))) {
    return undefined;
  }
  return h;
}

function attributes(h: Bytes): ProbeResult {
  const version = h.u16be(6);
  const f = new Found().set('VERSION', String(version));
  if (version === 1) {
    f.set('UUID', textUuid(h.raw(168, 40)));
  } else if (version === 2) {
    f.set('UUID', textUuid(h.raw(168, 40)));
    f.set('LABEL', rawLabel(h.raw(24, 48)));
    f.set('SUBSYSTEM', idLabel(h.raw(208, 48)));
  }
  return f.result('crypto_LUKS', 'crypto');
}

export const luksProber = {
  type: 'crypto_LUKS',
  probe: (src) =>
    guarded(src, (r) => {
      const primary = headerAt(r, 0, MAGIC_1);
      if (primary) return attributes(primary);
      for (const off of SECONDARY_OFFSETS) {
        const h = headerAt(r, off, MAGIC_2);
        if (h) return attributes(h);
      }
      return undefined;
    }),
} satisfies FsProber;
