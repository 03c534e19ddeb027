// The architecture of a Unix guest from the ELF header of one of its binaries. libguestfs
// runs file(1) on the binary and maps its text ("ELF 64-bit LSB pie executable, x86-64, …")
// to a canonical name; the same facts are in the ELF identification bytes and e_machine,
// which this reads directly: class (32/64-bit), data encoding (LSB/MSB), e_type (file(1)
// calls only executables, shared objects and relocatables by an architecture) and e_machine.
// Reference: System V ABI "ELF Header" (e_ident, e_type, e_machine) and the e_machine
// registry (EM_*); libguestfs daemon/filearch.ml (canonical_elf_arch).

import { Bytes } from '../../io/bytes.js';

/** Bytes needed: e_ident (16) + e_type (2) + e_machine (2). */
export const ELF_HEADER_BYTES = 20;

const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
/** ET_REL, ET_EXEC, ET_DYN: what file(1) prints as relocatable / executable / shared object. */
const ARCH_TYPES = new Set([1, 2, 3]);

const EM_SPARC = 2;
const EM_386 = 3;
const EM_486 = 6;
const EM_PPC = 20;
const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_ARM = 40;
const EM_SPARCV9 = 43;
const EM_IA_64 = 50;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;

export interface ElfIdent {
  bits: 32 | 64;
  msb: boolean;
  type: number;
  machine: number;
}

/** The identification fields, or undefined when `head` is not an ELF header. */
export function elfIdent(head: Uint8Array): ElfIdent | undefined {
  if (head.length < ELF_HEADER_BYTES) return undefined;
  const b = new Bytes(head, 'ELF header');
  if (!b.equals(0, '\x7fELF')) return undefined;
  const cls = b.u8(4);
  const data = b.u8(5);
  if ((cls !== ELFCLASS32 && cls !== ELFCLASS64) || (data !== ELFDATA2LSB && data !== ELFDATA2MSB))
    return undefined;
  const msb = data === ELFDATA2MSB;
  return {
    bits: cls === ELFCLASS64 ? 64 : 32,
    msb,
    type: msb ? b.u16be(16) : b.u16le(16),
    machine: msb ? b.u16be(18) : b.u16le(18),
  };
}

/**
 * libguestfs' canonical architecture of an ELF binary (i386, x86_64, aarch64, ppc64le, …),
 * or undefined when file(1) would name no architecture (not ELF, a core file) or the
 * machine is one libguestfs has no canonical name for (it would return file(1)'s own
 * spelling, which we do not reproduce).
 */
export function elfArchitecture(head: Uint8Array): string | undefined {
  const id = elfIdent(head);
  if (!id || !ARCH_TYPES.has(id.type)) return undefined;
  switch (id.machine) {
    case EM_386:
    case EM_486:
      return 'i386';
    case EM_X86_64:
      return 'x86_64';
    case EM_SPARC:
      return 'sparc';
    case EM_SPARCV9:
      return 'sparc64';
    case EM_IA_64:
      return 'ia64';
    case EM_PPC64:
      return id.msb ? 'ppc64' : 'ppc64le';
    case EM_PPC:
      return 'ppc';
    case EM_AARCH64:
      return 'aarch64';
    case EM_ARM:
      return 'arm';
    case EM_RISCV:
      return `riscv${id.bits}`;
    case EM_S390:
      return id.bits === 64 ? 's390x' : 's390';
    default:
      return undefined;
  }
}
