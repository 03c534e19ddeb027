// The libguestfs-compatible API, declared once. The Guestfs handle implements the
// `implemented` actions under the same names; the CLI's `call` command parses arguments
// by these types; `guestkit call --list` prints this table; the compatibility test
// checks that table and handle agree. Names, argument order and return types are
// libguestfs' own (see guestfs(3) and generator/actions_*.ml). The mount and file actions
// are declared in api-files.ts.

import { FILE_ACTION_DECLS, MOUNT_ACTION_DECLS, WRITE_ACTION_DECLS } from './api-files.js';
import { HIVEX_ACTION_DECLS, INSPECT_ACTION_DECLS } from './api-inspect.js';
import { LUKS_ACTION_DECLS, LVM_ACTION_DECLS, MD_ACTION_DECLS } from './api-volumes.js';

export type ArgType =
  | 'String'
  | 'Device'
  | 'Mountable'
  | 'Pathname'
  | 'Dev_or_Path'
  | 'Int'
  | 'Int64'
  | 'Bool'
  | 'StringList'
  | 'FileIn'
  | 'FileOut'
  | 'BufferIn'
  /** A passphrase: a String that tracing prints as "***". */
  | 'Key';

export type RetType =
  | 'RErr'
  | 'RInt'
  | 'RInt64'
  | 'RBool'
  | 'RString'
  | 'RStringList'
  | 'RStruct'
  | 'RStructList'
  | 'RHashtable'
  | 'RBufferOut';

/**
 * implemented: works. refused: can never work in guestkit (it would have to execute the
 * guest's own programs, or needs a kernel); calling it throws `unsupported` with the
 * reason. planned: a later release implements it; calling it throws `unsupported` too.
 */
export type ActionState = 'implemented' | 'refused' | 'planned';

export interface Arg {
  name: string;
  type: ArgType;
}

export interface Action {
  name: string;
  args: Arg[];
  optargs?: Arg[];
  ret: RetType;
  state: ActionState;
  /** True if the action can be called before launch (configuration and host-file actions). */
  beforeLaunch?: boolean;
  doc: string;
  /** Why a refused/planned action does not work. */
  reason?: string;
  /** The libguestfs structure an RStruct/RStructList returns (statns, dirent, xattr …). */
  struct?: string;
  /** A write action: while guestkit mounts read-only, calling it fails with EROFS. */
  writes?: boolean;
}

const a = (name: string, type: ArgType): Arg => ({ name, type });
const dev = a('device', 'Device');
const partnum = a('partnum', 'Int');
const mountable = a('mountable', 'Mountable');
const filename = a('filename', 'String');

const EXEC_REASON =
  'guestkit never runs the guest\u2019s programs: it reads the image directly, without an appliance';

export const ACTIONS: readonly Action[] = [
  // Configuration and lifecycle
  {
    name: 'add_drive_opts',
    args: [filename],
    optargs: [a('format', 'String'), a('readonly', 'Bool')],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Add a disk image; format is detected from content unless given. guestkit is read-only: readonly=false needs an overlay.',
  },
  {
    name: 'add_drive',
    args: [filename],
    optargs: [a('format', 'String'), a('readonly', 'Bool')],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Alias of add_drive_opts.',
  },
  {
    name: 'add_drive_ro',
    args: [filename],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Add a disk image read-only.',
  },
  {
    name: 'launch',
    args: [],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Open the drives: formats, partition tables, probing. Takes milliseconds.',
  },
  {
    name: 'shutdown',
    args: [],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Release the drives; the handle can be closed afterwards.',
  },
  {
    name: 'close',
    args: [],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Release everything.',
  },
  {
    name: 'set_trace',
    args: [a('trace', 'Bool')],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Log every action call and its result.',
  },
  {
    name: 'get_trace',
    args: [],
    ret: 'RBool',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Whether tracing is on.',
  },
  {
    name: 'set_verbose',
    args: [a('verbose', 'Bool')],
    ret: 'RErr',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Log what the engine detects while launching.',
  },
  {
    name: 'get_verbose',
    args: [],
    ret: 'RBool',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Whether verbose messages are on.',
  },
  // Host-side image queries (no launch needed)
  {
    name: 'disk_format',
    args: [filename],
    ret: 'RString',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Detect the format of a disk image (qcow2, raw, …) from its content.',
  },
  {
    name: 'disk_virtual_size',
    args: [filename],
    ret: 'RInt64',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Virtual size of a disk image in bytes.',
  },
  {
    name: 'disk_has_backing_file',
    args: [filename],
    ret: 'RBool',
    state: 'implemented',
    beforeLaunch: true,
    doc: 'Whether a disk image has a backing file.',
  },
  // Devices and partitions
  {
    name: 'list_devices',
    args: [],
    ret: 'RStringList',
    state: 'implemented',
    doc: 'The whole block devices: /dev/sda, /dev/sdb, …',
  },
  {
    name: 'list_partitions',
    args: [],
    ret: 'RStringList',
    state: 'implemented',
    doc: 'Every partition of every device, extended partitions included.',
  },
  {
    name: 'list_filesystems',
    args: [],
    ret: 'RHashtable',
    state: 'implemented',
    doc: 'Every filesystem (device → vfs type) on disks, open /dev/mapper devices, partitions, md arrays and LVs, "unknown" where none is recognised; partitioned disks, extended partitions, volume-manager members and LUKS containers are left out.',
  },
  {
    name: 'part_list',
    args: [dev],
    ret: 'RStructList',
    struct: 'partition',
    state: 'implemented',
    doc: 'Partitions of a device: part_num, part_start, part_end, part_size (bytes).',
  },
  {
    name: 'part_get_parttype',
    args: [dev],
    ret: 'RString',
    state: 'implemented',
    doc: 'Partition table type: msdos or gpt.',
  },
  {
    name: 'part_get_bootable',
    args: [dev, partnum],
    ret: 'RBool',
    state: 'implemented',
    doc: "The MBR bootable flag; on GPT, parted's boot flag: the partition has the EFI System type.",
  },
  {
    name: 'part_get_mbr_id',
    args: [dev, partnum],
    ret: 'RInt',
    state: 'implemented',
    doc: 'The MBR partition type byte; MBR tables only.',
  },
  {
    name: 'part_get_gpt_type',
    args: [dev, partnum],
    ret: 'RString',
    state: 'implemented',
    doc: 'The GPT partition type GUID; GPT tables only.',
  },
  {
    name: 'part_get_gpt_guid',
    args: [dev, partnum],
    ret: 'RString',
    state: 'implemented',
    doc: 'The GPT unique partition GUID; GPT tables only.',
  },
  {
    name: 'part_get_gpt_attributes',
    args: [dev, partnum],
    ret: 'RInt64',
    state: 'implemented',
    doc: 'The GPT attribute bits; GPT tables only.',
  },
  {
    name: 'part_get_name',
    args: [dev, partnum],
    ret: 'RString',
    state: 'implemented',
    doc: 'The GPT partition name; GPT tables only.',
  },
  {
    name: 'part_get_disk_guid',
    args: [dev],
    ret: 'RString',
    state: 'implemented',
    doc: 'The GPT disk GUID; GPT tables only.',
  },
  {
    name: 'part_to_dev',
    args: [a('partition', 'Device')],
    ret: 'RString',
    state: 'implemented',
    doc: '/dev/sda1 → /dev/sda.',
  },
  {
    name: 'part_to_partnum',
    args: [a('partition', 'Device')],
    ret: 'RInt',
    state: 'implemented',
    doc: '/dev/sda1 → 1.',
  },
  {
    name: 'canonical_device_name',
    args: [a('device', 'String')],
    ret: 'RString',
    state: 'implemented',
    beforeLaunch: true,
    doc: '/dev/vda1 or /dev/hda1 → /dev/sda1; /dev/mapper/VG-LV → /dev/VG/LV.',
  },
  {
    name: 'device_index',
    args: [dev],
    ret: 'RInt',
    state: 'implemented',
    doc: 'Index of a whole device in list_devices order.',
  },
  {
    name: 'is_whole_device',
    args: [dev],
    ret: 'RBool',
    state: 'implemented',
    doc: 'True for /dev/sda, false for a partition.',
  },
  {
    name: 'blockdev_getsize64',
    args: [dev],
    ret: 'RInt64',
    state: 'implemented',
    doc: 'Size in bytes.',
  },
  {
    name: 'blockdev_getsz',
    args: [dev],
    ret: 'RInt64',
    state: 'implemented',
    doc: 'Size in 512-byte sectors.',
  },
  {
    name: 'blockdev_getss',
    args: [dev],
    ret: 'RInt',
    state: 'implemented',
    doc: 'Logical sector size: 4096 on a disk whose partition table uses 4 KiB sectors, else 512.',
  },
  {
    name: 'blockdev_getbsz',
    args: [dev],
    ret: 'RInt',
    state: 'implemented',
    doc: 'Block size the kernel would use: 4096.',
  },
  // Filesystem identity
  {
    name: 'vfs_type',
    args: [mountable],
    ret: 'RString',
    state: 'implemented',
    doc: 'Filesystem type as blkid names it ("" if unknown).',
  },
  {
    name: 'vfs_label',
    args: [mountable],
    ret: 'RString',
    state: 'implemented',
    doc: 'Filesystem label ("" if none).',
  },
  {
    name: 'vfs_uuid',
    args: [mountable],
    ret: 'RString',
    state: 'implemented',
    doc: 'Filesystem UUID ("" if none).',
  },
  {
    name: 'blkid',
    args: [dev],
    ret: 'RHashtable',
    state: 'implemented',
    doc: 'Every key blkid -p prints for the device.',
  },
  ...MOUNT_ACTION_DECLS,
  ...FILE_ACTION_DECLS,
  ...WRITE_ACTION_DECLS,
  ...INSPECT_ACTION_DECLS,
  ...HIVEX_ACTION_DECLS,
  ...LVM_ACTION_DECLS,
  ...MD_ACTION_DECLS,
  ...LUKS_ACTION_DECLS,
  // Refused: these execute the guest's programs inside the appliance.
  ...['command', 'command_lines'].map((name): Action => ({
    name,
    args: [a('arguments', 'StringList')],
    ret: name === 'command' ? 'RString' : 'RStringList',
    state: 'refused',
    doc: 'Run a program of the guest.',
    reason: EXEC_REASON,
  })),
  ...['sh', 'sh_lines'].map((name): Action => ({
    name,
    args: [a('command', 'String')],
    ret: name === 'sh' ? 'RString' : 'RStringList',
    state: 'refused',
    doc: 'Run a shell command of the guest.',
    reason: EXEC_REASON,
  })),
  {
    name: 'debug',
    args: [a('subcmd', 'String'), a('extraargs', 'StringList')],
    ret: 'RString',
    state: 'refused',
    doc: 'Appliance debugging commands.',
    reason: 'there is no appliance',
  },
  {
    name: 'selinux_relabel',
    args: [a('specfile', 'String'), a('path', 'Pathname')],
    ret: 'RErr',
    state: 'refused',
    doc: 'Relabel with the guest\u2019s setfiles.',
    reason: EXEC_REASON,
  },
  {
    name: 'grub_install',
    args: [a('root', 'Pathname'), dev],
    ret: 'RErr',
    state: 'refused',
    doc: 'Run the guest\u2019s grub-install.',
    reason: EXEC_REASON,
  },
  {
    name: 'mkinitrd',
    args: [a('args', 'StringList')],
    ret: 'RErr',
    state: 'refused',
    doc: 'Run the guest\u2019s initramfs tools.',
    reason: EXEC_REASON,
  },
  {
    name: 'download_blocks',
    args: [mountable, a('start', 'Int64'), a('stop', 'Int64'), a('filename', 'String')],
    ret: 'RErr',
    state: 'planned',
    doc: 'Copy raw filesystem blocks (Sleuth Kit).',
    reason: 'planned: forensic block access',
  },
];

const byName = new Map(ACTIONS.map((x) => [x.name, x]));

export function findAction(name: string): Action | undefined {
  return byName.get(name.replace(/-/g, '_'));
}
