// BitLocker volume header (a boot sector whose OEM id is "-FVE-FS-", or the
// MSWIN4.1 header of BitLocker To Go) and its FVE metadata block. libblkid reports the
// FVE metadata version and, for the Windows 7 layout, the 32-bit volume serial.
// Reference: libbde "BitLocker Drive Encryption (BDE) format", sections 3 (volume header)
// and 4 (FVE metadata); util-linux libblkid superblocks/bitlocker.c.

import { Bytes } from '../../io/bytes.js';
import { Found, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { isZero } from './text.js';
import type { FsProber } from './types.js';

const MAGIC_VISTA = magic(
  [0xeb, 0x52, 0x90, ...'-FVE-FS-'.split('').map((c) => c.charCodeAt(0))],
  0,
);
const MAGIC_WIN7 = magic(
  [0xeb, 0x58, 0x90, ...'-FVE-FS-'.split('').map((c) => c.charCodeAt(0))],
  0,
);
const MAGIC_TOGO = magic(
  [0xeb, 0x58, 0x90, ...'MSWIN4.1'.split('').map((c) => c.charCodeAt(0))],
  0,
);
const KINDS = [MAGIC_VISTA, MAGIC_WIN7, MAGIC_TOGO] as const;
const FVE_SIGNATURE = '-FVE-FS-';
const HEADER_LEN = 512;

interface BdeHeaders {
  kind: 0 | 1 | 2;
  header: Bytes;
  fve?: Bytes;
}

/** get_bitlocker_headers: the header kind, and the FVE block for Windows 7 and To Go. */
export function bitlockerHeaders(r: ProbeReader): BdeHeaders | undefined {
  const buf = r.bytes(0, HEADER_LEN);
  if (!buf) return undefined;
  const kind = KINDS.findIndex((m) => m.bytes.every((x, i) => buf[i] === x));
  if (kind < 0) return undefined;
  const header = new Bytes(buf, 'BitLocker volume header', 0);
  if (kind === 0) return { kind, header };
  const off = header.u64le(kind === 1 ? 176 : 440, 'fve_metadata_offset');
  if (off === 0) return undefined;
  const fveBuf = r.bytes(off, 12);
  if (!fveBuf) return undefined;
  const fve = new Bytes(fveBuf, 'BitLocker FVE metadata block', off);
  if (!fve.equals(0, FVE_SIGNATURE)) return undefined;
  return { kind: kind as 1 | 2, header, fve };
}

export const bitlockerProber = {
  type: 'BitLocker',
  probe: (src) =>
    guarded(src, (r) => {
      const h = bitlockerHeaders(r);
      if (!h) return undefined;
      const f = new Found();
      if (h.kind === 1 && !isZero(h.header.raw(67, 4))) {
        // printf("%016d") of the serial: zero-padded decimal, as blkid prints it.
        f.set('UUID', String(h.header.u32le(67)).padStart(16, '0'));
      }
      if (h.fve) f.set('VERSION', String(h.fve.u16le(10)));
      return f.result('BitLocker', 'crypto');
    }),
} satisfies FsProber;
