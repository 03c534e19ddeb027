// The inspection and hivex actions of the API table (api-table.ts includes them in ACTIONS).
// Names, arguments and return types are libguestfs' own; the deprecated inspection calls
// (inspect_get_format, inspect_is_live/netinst/multipart, inspect_list_applications) are
// declared too because callers ported from older libguestfs still use them.
// Reference: libguestfs generator/actions_inspection.ml, actions_inspection_deprecated.ml,
// actions_hivex.ml, actions_hivex_deprecated.ml.

import type { Action, Arg, ArgType, RetType } from './api-table.js';

const a = (name: string, type: ArgType): Arg => ({ name, type });
const root = a('root', 'Mountable');
const nodeh = a('nodeh', 'Int64');
const valueh = a('valueh', 'Int64');

function impl(name: string, args: Arg[], ret: RetType, doc: string, extra: Partial<Action> = {}) {
  return { name, args, ret, state: 'implemented', doc, ...extra } satisfies Action;
}

const getter = (name: string, ret: RetType, doc: string): Action =>
  impl(`inspect_get_${name}`, [root], ret, doc);

export const INSPECT_ACTION_DECLS: readonly Action[] = [
  impl(
    'inspect_os',
    [],
    'RStringList',
    'Inspect every filesystem, each mounted read-only on its own, and return the OS roots found (unmounts everything first).',
  ),
  impl('inspect_get_roots', [], 'RStringList', 'The roots the last inspect_os found.'),
  getter(
    'type',
    'RString',
    'linux, windows, freebsd, netbsd, openbsd, hurd, dos, minix or unknown.',
  ),
  getter(
    'distro',
    'RString',
    'debian, ubuntu, fedora, rhel, centos, rocky, opensuse, sles, alpinelinux, archlinux, windows, … or unknown.',
  ),
  getter('product_name', 'RString', 'The product name (free text) or unknown.'),
  getter('product_variant', 'RString', 'Client, Server … (Windows InstallationType) or unknown.'),
  getter('major_version', 'RInt', 'Major version, 0 if unknown.'),
  getter('minor_version', 'RInt', 'Minor version, 0 if unknown.'),
  getter(
    'arch',
    'RString',
    'x86_64, i386, aarch64, … from the ELF/PE header of the guest’s binaries, or unknown.',
  ),
  getter('hostname', 'RString', 'The hostname from the guest’s configuration, or unknown.'),
  getter('build_id', 'RString', 'os-release BUILD_ID, the Windows build number, or unknown.'),
  getter('package_format', 'RString', 'rpm, deb, apk, pacman, ebuild, … or unknown.'),
  getter(
    'package_management',
    'RString',
    'apt, dnf, yum, zypper, apk, pacman, portage, … or unknown.',
  ),
  getter(
    'osinfo',
    'RString',
    'A libosinfo short id guessed as libguestfs does (debian12, win10, …) or unknown.',
  ),
  getter(
    'mountpoints',
    'RHashtable',
    'Mountpoint → filesystem from /etc/fstab (just / → root without one), in fstab order.',
  ),
  getter('filesystems', 'RStringList', 'Every filesystem of this OS, swap included.'),
  getter('drive_mappings', 'RHashtable', 'Windows drive letter → partition, from MountedDevices.'),
  getter(
    'windows_systemroot',
    'RString',
    'The Windows systemroot (/Windows); an error on other guests.',
  ),
  getter(
    'windows_software_hive',
    'RString',
    'Path of the SOFTWARE hive; an error on other guests.',
  ),
  getter('windows_system_hive', 'RString', 'Path of the SYSTEM hive; an error on other guests.'),
  getter('windows_current_control_set', 'RString', 'ControlSet001 …; an error on other guests.'),
  impl(
    'inspect_list_applications2',
    [root],
    'RStructList',
    'Installed packages/applications read through what is mounted (mount the root’s mountpoints first, as in libguestfs).',
    { struct: 'application2' },
  ),
  impl(
    'inspect_get_icon',
    [root],
    'RBufferOut',
    'The guest’s OS icon as PNG (empty when there is none); reads what is mounted.',
    { optargs: [a('favicon', 'Bool'), a('highquality', 'Bool')] },
  ),
  // Deprecated in libguestfs, still answered as it answers them.
  getter('format', 'RString', 'Deprecated: always "installed" (install media are not inspected).'),
  impl('inspect_is_live', [root], 'RBool', 'Deprecated: always false.'),
  impl('inspect_is_netinst', [root], 'RBool', 'Deprecated: always false.'),
  impl('inspect_is_multipart', [root], 'RBool', 'Deprecated: always false.'),
  impl(
    'inspect_list_applications',
    [root],
    'RStructList',
    'Deprecated form of inspect_list_applications2 (no arch).',
    { struct: 'application' },
  ),
];

const HIVEX_WRITE_REASON = 'planned: guestkit reads registry hives; writing them needs the overlay';

export const HIVEX_ACTION_DECLS: readonly Action[] = [
  impl(
    'hivex_open',
    [a('filename', 'Pathname')],
    'RErr',
    'Open a registry hive file of the mounted guest (read-only).',
    {
      optargs: [a('verbose', 'Bool'), a('debug', 'Bool'), a('write', 'Bool'), a('unsafe', 'Bool')],
    },
  ),
  impl('hivex_close', [], 'RErr', 'Close the open hive.'),
  impl('hivex_root', [], 'RInt64', 'Handle of the root key.'),
  impl('hivex_node_name', [nodeh], 'RString', 'Name of a key.'),
  impl('hivex_node_children', [nodeh], 'RStructList', 'Subkeys of a key.', {
    struct: 'hivex_node',
  }),
  impl(
    'hivex_node_get_child',
    [nodeh, a('name', 'String')],
    'RInt64',
    'The named subkey (case-insensitive), 0 if none.',
  ),
  impl('hivex_node_parent', [nodeh], 'RInt64', 'Parent key.'),
  impl('hivex_node_values', [nodeh], 'RStructList', 'Values of a key.', { struct: 'hivex_value' }),
  impl(
    'hivex_node_get_value',
    [nodeh, a('key', 'String')],
    'RInt64',
    'The named value ("" = default), 0 if none.',
  ),
  impl('hivex_value_key', [valueh], 'RString', 'Name of a value.'),
  impl('hivex_value_type', [valueh], 'RInt64', 'Registry type of a value (REG_SZ = 1 …).'),
  impl('hivex_value_string', [valueh], 'RString', 'A REG_SZ/REG_EXPAND_SZ/REG_LINK value as text.'),
  impl('hivex_value_utf8', [valueh], 'RString', 'Deprecated alias of hivex_value_string.'),
  impl('hivex_value_value', [valueh], 'RBufferOut', 'The raw bytes of a value.'),
  ...(
    [
      ['hivex_commit', [a('filename', 'String')], 'RErr'],
      ['hivex_node_add_child', [a('parent', 'Int64'), a('name', 'String')], 'RInt64'],
      ['hivex_node_delete_child', [nodeh], 'RErr'],
      [
        'hivex_node_set_value',
        [nodeh, a('key', 'String'), a('t', 'Int64'), a('val', 'BufferIn')],
        'RErr',
      ],
    ] as const
  ).map(([name, args, ret]): Action => ({
    name,
    args: [...args],
    ret,
    state: 'planned',
    doc: 'Modify the open hive.',
    reason: HIVEX_WRITE_REASON,
  })),
];
