// The mount and file actions of the API table (api-table.ts includes them in ACTIONS).
// Signatures, optional arguments and return types are libguestfs' own; `struct` names the
// libguestfs structure of RStruct/RStructList results. Write actions are declared so that
// code ported from libguestfs meets a clear EROFS instead of "not a function".
// Reference: libguestfs generator/actions_core.ml, actions_core_deprecated.ml.

import type { Action, Arg, ArgType, RetType } from './api-table.js';

const a = (name: string, type: ArgType): Arg => ({ name, type });
const path = a('path', 'Pathname');
const directory = a('directory', 'Pathname');
const mountable = a('mountable', 'Mountable');
const mountpoint = a('mountpoint', 'String');
const follow = [a('followsymlinks', 'Bool')];

function impl(
  name: string,
  args: Arg[],
  ret: RetType,
  doc: string,
  extra: Partial<Action> = {},
): Action {
  return { name, args, ret, state: 'implemented', doc, ...extra };
}

const OVERLAY_REASON =
  'guestkit mounts read-only: writes need the copy-on-write overlay, which is not available yet';

function write(name: string, args: Arg[], doc: string, optargs?: Arg[]): Action {
  return {
    name,
    args,
    optargs,
    ret: 'RErr',
    state: 'planned',
    writes: true,
    doc,
    reason: OVERLAY_REASON,
  };
}

const isType = (name: string, what: string): Action =>
  impl(
    name,
    [path],
    'RBool',
    `True if path exists and is ${what}; followsymlinks follows a final symlink.`,
    {
      optargs: follow,
    },
  );

const grepOpts = [
  a('extended', 'Bool'),
  a('fixed', 'Bool'),
  a('insensitive', 'Bool'),
  a('compressed', 'Bool'),
];
const grepVariant = (name: string, what: string): Action =>
  impl(
    name,
    [a(name.includes('fgrep') ? 'pattern' : 'regex', 'String'), path],
    'RStringList',
    `Deprecated: grep with ${what}.`,
  );

export const MOUNT_ACTION_DECLS: readonly Action[] = [
  impl(
    'mount',
    [mountable, mountpoint],
    'RErr',
    'Mount a filesystem (read-only in guestkit: writes fail with EROFS).',
  ),
  impl('mount_ro', [mountable, mountpoint], 'RErr', 'Mount a filesystem read-only.'),
  impl(
    'mount_options',
    [a('options', 'String'), mountable, mountpoint],
    'RErr',
    'Mount with options; options that would change what files look like are unsupported.',
  ),
  impl(
    'mount_vfs',
    [a('options', 'String'), a('vfstype', 'String'), mountable, mountpoint],
    'RErr',
    'Mount with options and an explicit filesystem type.',
  ),
  impl(
    'umount',
    [a('pathordevice', 'Dev_or_Path')],
    'RErr',
    'Unmount a filesystem by mountpoint or device.',
    {
      optargs: [a('force', 'Bool'), a('lazyunmount', 'Bool')],
    },
  ),
  impl('umount_all', [], 'RErr', 'Unmount every filesystem.'),
  impl('mounts', [], 'RStringList', 'Devices mounted, in mount order.'),
  impl('mountpoints', [], 'RHashtable', 'Device → mountpoint of every mount.'),
  impl(
    'mkmountpoint',
    [a('exemptpath', 'String')],
    'RErr',
    'Create a mountpoint directory outside any filesystem (before mounting /).',
  ),
  impl(
    'rmmountpoint',
    [a('exemptpath', 'String')],
    'RErr',
    'Remove a directory made by mkmountpoint.',
  ),
];

export const FILE_ACTION_DECLS: readonly Action[] = [
  isType('is_file', 'a regular file'),
  isType('is_dir', 'a directory'),
  isType('is_blockdev', 'a block device'),
  isType('is_chardev', 'a character device'),
  isType('is_fifo', 'a FIFO'),
  isType('is_socket', 'a Unix socket'),
  impl('is_symlink', [path], 'RBool', 'True if path exists and is a symbolic link.'),
  impl('exists', [path], 'RBool', 'True if path exists (symlinks followed; never an error).'),
  impl('ls', [directory], 'RStringList', 'Names in a directory, sorted, without . and ..'),
  impl(
    'll',
    [directory],
    'RString',
    'The directory as `ls -la` shows it (numeric owners); not for parsing.',
  ),
  impl(
    'readdir',
    [a('dir', 'Pathname')],
    'RStructList',
    'Directory entries (ino, ftyp, name), . and .. included, in filesystem order.',
    { struct: 'dirent' },
  ),
  impl('stat', [path], 'RStruct', 'Deprecated: stat without nanoseconds.', { struct: 'stat' }),
  impl('lstat', [path], 'RStruct', 'Deprecated: lstat without nanoseconds.', { struct: 'stat' }),
  impl('statns', [path], 'RStruct', 'stat(2) of path, with nanosecond times.', {
    struct: 'statns',
  }),
  impl('lstatns', [path], 'RStruct', 'lstat(2) of path, with nanosecond times.', {
    struct: 'statns',
  }),
  impl(
    'lstatnslist',
    [path, a('names', 'StringList')],
    'RStructList',
    "lstatns of many names in one directory; st_ino is -1 for a name that cannot be lstat'd.",
    { struct: 'statns' },
  ),
  impl(
    'lstatlist',
    [path, a('names', 'StringList')],
    'RStructList',
    'Deprecated: lstatnslist without nanoseconds.',
    { struct: 'stat' },
  ),
  impl(
    'filesize',
    [a('file', 'Pathname')],
    'RInt64',
    'Size of a file in bytes (symlinks followed).',
  ),
  impl('read_file', [path], 'RBufferOut', 'The whole content of a file.'),
  impl('cat', [path], 'RString', 'The content of a text file (up to the first NUL byte).'),
  impl('read_lines', [path], 'RStringList', 'The lines of a text file, without LF or CRLF.'),
  impl(
    'pread',
    [path, a('count', 'Int'), a('offset', 'Int64')],
    'RBufferOut',
    'Up to count bytes at offset.',
  ),
  impl('readlink', [path], 'RString', 'The target of a symbolic link.'),
  impl(
    'realpath',
    [path],
    'RString',
    'The canonical path: every symlink, . and .. resolved across mounts.',
  ),
  impl('statvfs', [path], 'RStruct', 'statvfs(2) of the filesystem holding path.', {
    struct: 'statvfs',
  }),
  impl('getxattrs', [path], 'RStructList', 'Extended attributes of path (symlinks followed).', {
    struct: 'xattr',
  }),
  impl('lgetxattrs', [path], 'RStructList', 'Extended attributes of path itself.', {
    struct: 'xattr',
  }),
  impl(
    'getxattr',
    [path, a('name', 'String')],
    'RBufferOut',
    'One extended attribute (ENODATA if absent).',
  ),
  impl(
    'lgetxattr',
    [path, a('name', 'String')],
    'RBufferOut',
    'One extended attribute of path itself.',
  ),
  impl(
    'find',
    [directory],
    'RStringList',
    'Every path below directory, relative to it, sorted; crosses mounts, does not follow links.',
  ),
  impl(
    'find0',
    [directory, a('files', 'FileOut')],
    'RErr',
    'Like find, NUL-terminated names written to a host file, not sorted.',
  ),
  impl(
    'glob_expand',
    [a('pattern', 'Pathname')],
    'RStringList',
    'Shell wildcard expansion (glob(3) with GLOB_MARK|GLOB_BRACE), sorted.',
    {
      optargs: [a('directoryslash', 'Bool')],
    },
  ),
  impl(
    'case_sensitive_path',
    [path],
    'RString',
    'The true case of each existing element of path (for case-insensitive guests).',
  ),
  impl(
    'grep',
    [a('regex', 'String'), path],
    'RStringList',
    'Lines of a file matching a regular expression (like grep -a).',
    { optargs: grepOpts },
  ),
  grepVariant('egrep', 'extended=true'),
  grepVariant('fgrep', 'fixed=true'),
  grepVariant('grepi', 'insensitive=true'),
  grepVariant('egrepi', 'extended=true insensitive=true'),
  grepVariant('fgrepi', 'fixed=true insensitive=true'),
  grepVariant('zgrep', 'compressed=true'),
  grepVariant('zegrep', 'compressed=true extended=true'),
  grepVariant('zfgrep', 'compressed=true fixed=true'),
  grepVariant('zgrepi', 'compressed=true insensitive=true'),
  grepVariant('zegrepi', 'compressed=true extended=true insensitive=true'),
  grepVariant('zfgrepi', 'compressed=true fixed=true insensitive=true'),
  impl(
    'checksum',
    [a('csumtype', 'String'), path],
    'RString',
    'crc (cksum), md5, sha1, sha224, sha256, sha384 or sha512 of a file.',
  ),
  impl(
    'tar_out',
    [directory, a('tarfile', 'FileOut')],
    'RErr',
    'A POSIX tar of a directory written to a host file (streamed); compress=gzip.',
    {
      optargs: [
        a('compress', 'String'),
        a('numericowner', 'Bool'),
        a('excludes', 'StringList'),
        a('xattrs', 'Bool'),
        a('selinux', 'Bool'),
        a('acls', 'Bool'),
      ],
    },
  ),
  impl(
    'download',
    [a('remotefilename', 'Dev_or_Path'), a('filename', 'FileOut')],
    'RErr',
    'Copy a file or a whole device to a host file (streamed).',
  ),
];

export const WRITE_ACTION_DECLS: readonly Action[] = [
  write('write', [path, a('content', 'BufferIn')], 'Create or replace a file.'),
  write('write_append', [path, a('content', 'BufferIn')], 'Append to a file.'),
  write('touch', [path], 'Create an empty file or update its times.'),
  write('truncate', [path], 'Truncate a file to zero bytes.'),
  write('truncate_size', [path, a('size', 'Int64')], 'Set the size of a file.'),
  write('mkdir', [path], 'Create a directory.'),
  write('mkdir_p', [path], 'Create a directory and its parents.'),
  write('mkdir_mode', [path, a('mode', 'Int')], 'Create a directory with a mode.'),
  write('rm', [path], 'Remove a file.'),
  write('rm_f', [path], 'Remove a file, ignoring errors.'),
  write('rm_rf', [path], 'Remove a tree.'),
  write('rmdir', [path], 'Remove an empty directory.'),
  write('rename', [a('oldpath', 'Pathname'), a('newpath', 'Pathname')], 'Rename a file.'),
  write('mv', [a('src', 'Pathname'), a('dest', 'Pathname')], 'Move a file.'),
  write('cp', [a('src', 'Pathname'), a('dest', 'Pathname')], 'Copy a file.'),
  write('cp_a', [a('src', 'Pathname'), a('dest', 'Pathname')], 'Copy a tree, keeping attributes.'),
  write('cp_r', [a('src', 'Pathname'), a('dest', 'Pathname')], 'Copy a tree.'),
  write('ln', [a('target', 'String'), a('linkname', 'Pathname')], 'Create a hard link.'),
  write(
    'ln_f',
    [a('target', 'String'), a('linkname', 'Pathname')],
    'Create a hard link, replacing.',
  ),
  write('ln_s', [a('target', 'String'), a('linkname', 'Pathname')], 'Create a symbolic link.'),
  write(
    'ln_sf',
    [a('target', 'String'), a('linkname', 'Pathname')],
    'Create a symbolic link, replacing.',
  ),
  write('chmod', [a('mode', 'Int'), path], 'Change permissions.'),
  write('chown', [a('owner', 'Int'), a('group', 'Int'), path], 'Change owner.'),
  write('lchown', [a('owner', 'Int'), a('group', 'Int'), path], 'Change owner of a link itself.'),
  write(
    'utimens',
    [
      path,
      a('atsecs', 'Int64'),
      a('atnsecs', 'Int64'),
      a('mtsecs', 'Int64'),
      a('mtnsecs', 'Int64'),
    ],
    'Set times.',
  ),
  write(
    'mknod',
    [a('mode', 'Int'), a('devmajor', 'Int'), a('devminor', 'Int'), path],
    'Create a device node.',
  ),
  write('mkfifo', [a('mode', 'Int'), path], 'Create a FIFO.'),
  write(
    'setxattr',
    [a('xattr', 'String'), a('val', 'String'), a('vallen', 'Int'), path],
    'Set an extended attribute.',
  ),
  write(
    'lsetxattr',
    [a('xattr', 'String'), a('val', 'String'), a('vallen', 'Int'), path],
    'Set an extended attribute of a link itself.',
  ),
  write('removexattr', [a('xattr', 'String'), path], 'Remove an extended attribute.'),
  write(
    'lremovexattr',
    [a('xattr', 'String'), path],
    'Remove an extended attribute of a link itself.',
  ),
  write(
    'upload',
    [a('filename', 'FileIn'), a('remotefilename', 'Dev_or_Path')],
    'Copy a host file into the guest.',
  ),
  write('tar_in', [a('tarfile', 'FileIn'), directory], 'Unpack a tar into a directory.', [
    a('compress', 'String'),
    a('xattrs', 'Bool'),
    a('selinux', 'Bool'),
    a('acls', 'Bool'),
  ]),
];
