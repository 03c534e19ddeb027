// The architecture of a Windows installation from the PE header of System32/cmd.exe:
// DOS header "MZ" → e_lfanew → "PE\0\0" → COFF Machine. libguestfs asks file(1) and maps
// "PE32+ executable" to x86_64 and "PE32 executable" to i386; reading the machine field
// instead also gets ARM64 Windows right (PE32+ but aarch64). For a machine we do not know,
// the optional header's magic decides as libguestfs' rule does.
// Reference: Microsoft PE Format, "MS-DOS Stub", "Signature", "COFF File Header",
// "Machine Types", "Optional Header Magic"; libguestfs daemon/filearch.ml.

import { Bytes } from '../../io/bytes.js';

const MACHINE_ARCH: Record<number, string> = {
  0x014c: 'i386',
  0x8664: 'x86_64',
  0xaa64: 'aarch64',
  0x01c0: 'arm',
  0x01c4: 'arm',
  0x0200: 'ia64',
};
const PE32_MAGIC = 0x10b;
const PE32PLUS_MAGIC = 0x20b;
/** e_lfanew beyond this is not a PE image we can read from the bytes we took. */
export const PE_HEADER_WINDOW = 4096;

/** Arch of a PE image from its first PE_HEADER_WINDOW bytes, or undefined if not PE. */
export function peArchitecture(head: Uint8Array): string | undefined {
  const b = new Bytes(head, 'PE header');
  if (head.length < 0x40 || !b.equals(0, 'MZ')) return undefined;
  const pe = b.u32le(0x3c);
  if (pe + 24 + 2 > head.length || !b.equals(pe, 'PE\0\0')) return undefined;
  const machine = b.u16le(pe + 4);
  const known = MACHINE_ARCH[machine];
  if (known) return known;
  const magic = b.u16le(pe + 24);
  if (magic === PE32PLUS_MAGIC) return 'x86_64';
  if (magic === PE32_MAGIC) return 'i386';
  return undefined;
}
