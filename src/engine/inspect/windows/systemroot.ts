// Finding %SystemRoot% on a filesystem: the usual directory names (case-insensitively),
// else the paths that boot.ini lists under [operating systems]. A candidate counts only if
// it holds system32/, system32/config/ and system32/cmd.exe — a data disk with "Program
// Files" or a stray "windows" folder is not a system root (RHBZ#674130).
// Reference: libguestfs daemon/inspect_fs_windows.ml (systemroot_paths,
// get_windows_systemroot, get_windows_systemroot_from_boot_ini, is_systemroot).

import type { FileSystem } from '../../fs/types.js';
import { caseSensitivePath, isDirNocase, isFileNocase, readWholeFile } from './guest-paths.js';

/** libguestfs' list, in its order, plus NT 3.5's default. */
export const SYSTEMROOT_PATHS = ['/windows', '/winnt', '/win32', '/win', '/reactos', '/winnt35'];
/** boot.ini is a few hundred bytes; anything past this is not one. */
const MAX_BOOT_INI = 64 * 1024;
const BOOT_INI_OS = /^(multi|scsi)\((\d+)\)disk\((\d+)\)rdisk\((\d+)\)partition\((\d+)\)([^=]+)=/;

export function isSystemroot(fs: FileSystem, root: string): boolean {
  return (
    isDirNocase(fs, `${root}/system32`) &&
    isDirNocase(fs, `${root}/system32/config`) &&
    isFileNocase(fs, `${root}/system32/cmd.exe`)
  );
}

/** The system root's on-disk path ("/Windows"), or undefined if this is no Windows root. */
export function findSystemroot(fs: FileSystem): string | undefined {
  for (const candidate of SYSTEMROOT_PATHS) {
    const path = caseSensitivePath(fs, candidate);
    if (path !== undefined && isSystemroot(fs, path)) return path;
  }
  return fromBootIni(fs);
}

/**
 * Paths from boot.ini's [operating systems] section ("multi(0)disk(0)rdisk(0)partition(1)
 * \WINDOWS="…"). Like libguestfs we assume the partition is this one.
 */
function fromBootIni(fs: FileSystem): string | undefined {
  const ini = caseSensitivePath(fs, '/boot.ini');
  if (ini === undefined || !isFileNocase(fs, ini)) return undefined;
  const lines = new TextDecoder('latin1')
    .decode(readWholeFile(fs, ini, MAX_BOOT_INI, 'MAX_BOOT_INI'))
    .split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('[operating systems]'));
  if (start < 0) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('multi(') && !line.startsWith('scsi(')) break;
    const m = BOOT_INI_OS.exec(line);
    if (!m) continue;
    const path = m[6]!.replace(/\\/g, '/');
    const real = caseSensitivePath(fs, path);
    if (real !== undefined && isSystemroot(fs, real)) return real;
  }
  return undefined;
}
