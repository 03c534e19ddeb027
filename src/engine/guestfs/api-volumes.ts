// The LVM, MD RAID and LUKS actions of the API table (api-table.ts includes them in
// ACTIONS). Names, arguments, optional arguments and return types are libguestfs' own;
// keys are of type Key, which tracing prints as "***" as libguestfs does. The actions
// that would change volumes are declared so that code ported from libguestfs meets a clear
// EROFS naming the overlay.
// Reference: libguestfs generator/actions_core.ml, actions_core_deprecated.ml (lvs,
// pvs_full, vg_activate, lvm_scan, md_detail, md_stat, cryptsetup_open, luks_open …),
// generator/structs.ml (lvm_pv, lvm_vg, lvm_lv, mdstat).

import type { Action, Arg, ArgType, RetType } from './api-table.js';

const a = (name: string, type: ArgType): Arg => ({ name, type });
const device = a('device', 'Device');
const vgname = a('vgname', 'String');
const key = a('key', 'Key');
const mapname = a('mapname', 'String');
const md = a('md', 'Device');

function impl(name: string, args: Arg[], ret: RetType, doc: string, extra: Partial<Action> = {}) {
  return { name, args, ret, state: 'implemented', doc, ...extra } satisfies Action;
}

const WRITE_REASON =
  'guestkit opens volumes read-only: changing them needs the copy-on-write overlay, which is not available yet';

function write(name: string, args: Arg[], doc: string, optargs?: Arg[]): Action {
  return {
    name,
    args,
    optargs,
    ret: 'RErr',
    state: 'planned',
    writes: true,
    doc,
    reason: WRITE_REASON,
  };
}

export const LVM_ACTION_DECLS: readonly Action[] = [
  impl('pvs', [], 'RStringList', 'LVM physical volumes (device names), sorted.'),
  impl('vgs', [], 'RStringList', 'LVM volume groups, sorted.'),
  impl(
    'lvs',
    [],
    'RStringList',
    'Public LVs as /dev/VG/LV, sorted (listed before their VG is activated, as lvm2 does).',
  ),
  impl('pvs_full', [], 'RStructList', 'Physical volumes with every lvm2 report column.', {
    struct: 'lvm_pv',
  }),
  impl('vgs_full', [], 'RStructList', 'Volume groups with every lvm2 report column.', {
    struct: 'lvm_vg',
  }),
  impl(
    'lvs_full',
    [],
    'RStructList',
    'Logical volumes with every lvm2 report column (kernel-only columns are -1).',
    { struct: 'lvm_lv' },
  ),
  impl(
    'vgscan',
    [],
    'RErr',
    'Deprecated: rescan the devices for PVs, VGs and LVs (new VGs stay inactive).',
  ),
  impl(
    'lvm_scan',
    [a('activate', 'Bool')],
    'RErr',
    'Rescan the devices for PVs, VGs and LVs; with activate, every VG found is activated (/dev/VG/LV appear).',
  ),
  impl(
    'vg_activate_all',
    [a('activate', 'Bool')],
    'RErr',
    'Activate or deactivate every volume group (deactivating one with a mounted LV is EBUSY).',
  ),
  impl(
    'vg_activate',
    [a('activate', 'Bool'), a('volgroups', 'StringList')],
    'RErr',
    'Activate or deactivate the named volume groups (an empty list means all).',
  ),
  impl('pvuuid', [device], 'RString', 'The UUID of a PV (lvm2 spelling, with dashes).'),
  impl('vguuid', [vgname], 'RString', 'The UUID of a volume group.'),
  impl('lvuuid', [device], 'RString', 'The UUID of a logical volume.'),
  impl('vgpvuuids', [vgname], 'RStringList', 'The UUIDs of the PVs of a volume group.'),
  impl('vglvuuids', [vgname], 'RStringList', 'The UUIDs of the LVs of a volume group.'),
  impl(
    'lvm_canonical_lv_name',
    [a('lvname', 'Device')],
    'RString',
    '/dev/mapper/VG-LV or /dev/VG/LV → /dev/VG/LV; EINVAL if it is not a logical volume.',
  ),
  impl('is_lv', [a('mountable', 'Mountable')], 'RBool', 'True for a logical volume.'),
  write('pvcreate', [device], 'Create a physical volume.'),
  write('vgcreate', [a('volgroup', 'String'), a('physvols', 'StringList')], 'Create a VG.'),
  write(
    'lvcreate',
    [a('logvol', 'String'), a('volgroup', 'String'), a('mbytes', 'Int')],
    'Create an LV.',
  ),
  write('lvremove', [device], 'Remove a logical volume.'),
  write('vgremove', [vgname], 'Remove a volume group.'),
  write('pvremove', [device], 'Remove a physical volume label.'),
  write('lvresize', [device, a('mbytes', 'Int')], 'Resize a logical volume.'),
];

export const MD_ACTION_DECLS: readonly Action[] = [
  impl(
    'list_md_devices',
    [],
    'RStringList',
    'Running md arrays (/dev/md127, /dev/md126, … as the appliance names foreign arrays).',
  ),
  impl(
    'md_detail',
    [md],
    'RHashtable',
    'mdadm -D --export of an array: level, devices, metadata, uuid, devname, name, members.',
  ),
  impl('md_stat', [md], 'RStructList', 'The member devices of an array, as /proc/mdstat.', {
    struct: 'mdstat',
  }),
  write('md_create', [a('name', 'String'), a('devices', 'StringList')], 'Create an md array.', [
    a('missingbitmap', 'Int64'),
    a('nrdevices', 'Int'),
    a('spare', 'Int'),
    a('chunk', 'Int64'),
    a('level', 'String'),
  ]),
];

export const LUKS_ACTION_DECLS: readonly Action[] = [
  impl(
    'cryptsetup_open',
    [device, key, mapname],
    'RErr',
    'Unlock a LUKS1/LUKS2 device as /dev/mapper/MAPNAME (wrong key: locked); LVM sees the VGs inside, lvm_scan true activates them.',
    { optargs: [a('readonly', 'Bool'), a('crypttype', 'String')] },
  ),
  impl(
    'cryptsetup_close',
    [device],
    'RErr',
    'Close /dev/mapper/MAPNAME (EBUSY while mounted or holding active LVs).',
  ),
  impl('luks_open', [device, key, mapname], 'RErr', 'Deprecated form of cryptsetup_open.'),
  impl('luks_open_ro', [device, key, mapname], 'RErr', 'Deprecated: a read-only mapping.'),
  impl('luks_close', [device], 'RErr', 'Deprecated form of cryptsetup_close.'),
  impl('luks_uuid', [device], 'RString', 'The UUID of a LUKS header (no key needed).'),
  impl(
    'list_dm_devices',
    [],
    'RStringList',
    'Device-mapper devices that are not LVs: the open LUKS mappings.',
  ),
  write('luks_format', [device, key, a('keyslot', 'Int')], 'Format a LUKS device.'),
  write(
    'luks_add_key',
    [device, key, a('newkey', 'Key'), a('keyslot', 'Int')],
    'Add a key to a LUKS device.',
  ),
  write('luks_kill_slot', [device, key, a('keyslot', 'Int')], 'Remove a key from a LUKS device.'),
];
