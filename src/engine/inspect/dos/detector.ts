// The last branches of libguestfs' first pass, tried after the Windows system-root test: a
// Windows data volume (System Volume Information, with or without Program Files) is a
// filesystem of no OS; a FreeDOS or MS-DOS boot volume is a DOS root. Names are matched
// case-insensitively, as on FAT.
// Reference: libguestfs daemon/inspect_fs.ml (check_filesystem: "Windows volume …",
// "FreeDOS", "MS-DOS"); lib/inspect-osinfo.c (msdos6.22).

import { isDirNocase, isFileNocase } from '../windows/guest-paths.js';
import type { FsClassification, InspectFs, OsDetector } from '../types.js';

export class DosDetector implements OsDetector {
  readonly name = 'dos';

  detect(target: InspectFs): FsClassification | undefined {
    const fs = target.fs;
    if (isDirNocase(fs, '/System Volume Information')) return { role: 'other' };
    // DOS is a mix of 16- and 32-bit code; libguestfs assumes it needs an i386.
    if (isDirNocase(fs, '/FDOS') && isFileNocase(fs, '/FDOS/FREEDOS.BSS'))
      return { role: 'root', os: { type: 'dos', distro: 'freedos', arch: 'i386' } };
    if (isDirNocase(fs, '/DOS') && isFileNocase(fs, '/DOS/COMMAND.COM'))
      return { role: 'root', os: { type: 'dos', distro: 'msdos', arch: 'i386' } };
    return undefined;
  }
}
