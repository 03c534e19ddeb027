// The LVM, MD and LUKS actions: a table of functions bound onto the Guestfs prototype under
// their libguestfs names, like the file actions. The answers come from the volume modules
// (volumes/lvm/api.ts, volumes/md/api.ts, volumes/luks/api.ts) over the handle's volume
// layer (volumes.ts); this module checks arguments the way the daemon does and keeps the
// key out of every message.
// Reference: guestfs(3) guestfs_pvs … guestfs_luks_close; libguestfs daemon/lvm.ml,
// daemon/lvm.c, daemon/lvm_utils.ml, daemon/lvm_dm.ml, daemon/md.ml, daemon/md.c,
// daemon/cryptsetup.ml, daemon/luks.c; libguestfs-common options/decrypt.c (decryption
// with the virt tools' --key).

import { EngineError } from '../errors.js';
import {
  type GuestfsLvmLv,
  type GuestfsLvmPv,
  type GuestfsLvmVg,
  isLv,
  lvCanonical,
  lvs,
  lvsFull,
  lvuuid,
  pvs,
  pvsFull,
  pvuuid,
  vglvuuids,
  vgpvuuids,
  vgs,
  vgsFull,
  vguuid,
} from '../volumes/lvm/api.js';
import { type GuestfsMdstat, listMdDevices, mdDetail, mdStat } from '../volumes/md/api.js';
import {
  type KeySpec,
  MAPPER,
  type UnlockProgress,
  decryptMapname,
  keysForDevice,
  listDmDevices,
  luksUuid,
} from '../volumes/luks/index.js';
import type { Device } from './devices.js';
import type { CryptsetupOpenOptions, VolumeLayer } from './volumes.js';

export interface VolumeContext {
  volumes: VolumeLayer;
  /** A device by any accepted spelling; ENOENT when absent. */
  device(name: string, action: string): Device;
  /** An action of the table by name, as Guestfs.call runs it (traced). */
  call(name: string, args: unknown[], optargs?: Record<string, unknown>): unknown;
}

/** The md device an md action names: /dev/mdN (or its /dev/md/NAME link) of a running array. */
function mdName(ctx: VolumeContext, md: string, action: string): string {
  const d = ctx.device(md, action);
  if (d.kind !== 'md')
    throw new EngineError('EINVAL', `${action}: ${md}: not an md device`, { path: md });
  return d.name;
}

function canonicalLv(ctx: VolumeContext, name: string, action: string): string {
  const lv = lvCanonical(ctx.volumes.lvm, name);
  if (!lv)
    throw new EngineError('EINVAL', `${action}: ${name}: not a logical volume`, { path: name });
  return lv;
}

export const VOLUME_ACTIONS = {
  // ---- LVM ----
  pvs: (ctx: VolumeContext): string[] => pvs(ctx.volumes.lvm),
  vgs: (ctx: VolumeContext): string[] => vgs(ctx.volumes.lvm),
  lvs: (ctx: VolumeContext): string[] => lvs(ctx.volumes.lvm),
  pvs_full: (ctx: VolumeContext): GuestfsLvmPv[] => pvsFull(ctx.volumes.lvm),
  vgs_full: (ctx: VolumeContext): GuestfsLvmVg[] => vgsFull(ctx.volumes.lvm),
  lvs_full: (ctx: VolumeContext): GuestfsLvmLv[] =>
    lvsFull(ctx.volumes.lvm, ctx.volumes.activation),
  /** Deprecated: lvm_scan without activating what is new. */
  vgscan(ctx: VolumeContext): void {
    ctx.volumes.rescan(false);
  },
  /** pvscan --cache [--activate ay]: with activate, every VG found becomes active. */
  lvm_scan(ctx: VolumeContext, activate: boolean): void {
    ctx.volumes.rescan(activate, activate);
  },
  vg_activate_all(ctx: VolumeContext, activate: boolean): void {
    ctx.volumes.activate(activate, []);
  },
  vg_activate(ctx: VolumeContext, activate: boolean, volgroups: string[]): void {
    ctx.volumes.activate(activate, volgroups);
  },
  pvuuid: (ctx: VolumeContext, device: string): string =>
    pvuuid(ctx.volumes.lvm, ctx.device(device, 'pvuuid').name),
  vguuid: (ctx: VolumeContext, vgname: string): string => vguuid(ctx.volumes.lvm, vgname),
  lvuuid: (ctx: VolumeContext, device: string): string =>
    lvuuid(ctx.volumes.lvm, canonicalLv(ctx, device, 'lvuuid')),
  vgpvuuids: (ctx: VolumeContext, vgname: string): string[] => vgpvuuids(ctx.volumes.lvm, vgname),
  vglvuuids: (ctx: VolumeContext, vgname: string): string[] => vglvuuids(ctx.volumes.lvm, vgname),
  lvm_canonical_lv_name: (ctx: VolumeContext, lvname: string): string =>
    canonicalLv(ctx, lvname, 'lvm_canonical_lv_name'),
  is_lv: (ctx: VolumeContext, mountable: string): boolean => isLv(ctx.volumes.lvm, mountable),

  // ---- MD ----
  list_md_devices: (ctx: VolumeContext): string[] => listMdDevices(ctx.volumes.md.arrays),
  md_detail: (ctx: VolumeContext, md: string): Record<string, string> =>
    mdDetail(ctx.volumes.md.arrays, mdName(ctx, md, 'md_detail')),
  md_stat: (ctx: VolumeContext, md: string): GuestfsMdstat[] =>
    mdStat(ctx.volumes.md.arrays, mdName(ctx, md, 'md_stat')),

  // ---- LUKS ----
  cryptsetup_open(
    ctx: VolumeContext,
    device: string,
    key: string,
    mapname: string,
    opts: CryptsetupOpenOptions = {},
  ): void {
    ctx.volumes.open(ctx.device(device, 'cryptsetup_open'), key, mapname, opts);
  },
  cryptsetup_close(ctx: VolumeContext, device: string): void {
    ctx.volumes.close(device);
  },
  /** Deprecated forms: the type is always LUKS. */
  luks_open(ctx: VolumeContext, device: string, key: string, mapname: string): void {
    ctx.volumes.open(ctx.device(device, 'luks_open'), key, mapname, { crypttype: 'luks' });
  },
  luks_open_ro(ctx: VolumeContext, device: string, key: string, mapname: string): void {
    const d = ctx.device(device, 'luks_open_ro');
    ctx.volumes.open(d, key, mapname, { crypttype: 'luks', readonly: true });
  },
  luks_close(ctx: VolumeContext, device: string): void {
    ctx.volumes.close(device);
  },
  luks_uuid(ctx: VolumeContext, device: string): string {
    const d = ctx.device(device, 'luks_uuid');
    return luksUuid(d.name, d.source);
  },
  /** /dev/mapper devices that are not LVs: the open LUKS mappings. */
  list_dm_devices: (ctx: VolumeContext): string[] => listDmDevices(ctx.volumes.luks.mapnames()),
};

export interface DecryptOptions {
  /** Reads a `--key ID:file:FILENAME` key file (host I/O). */
  readFile: (name: string) => Uint8Array;
}

export interface DecryptResult {
  /** The /dev/mapper devices opened. */
  opened: string[];
  /** Encrypted devices no key was given for (left closed). */
  skipped: string[];
}

/** guestkit extensions: the async unlock for the worker, and the virt tools' decryption. */
export const VOLUME_EXTENSIONS = {
  /**
   * cryptsetup_open with the key derivation on the async path (WebCrypto's PBKDF2, several
   * times faster), reporting progress per keyslot; for the worker, which must not block.
   */
  async cryptsetup_open_async(
    ctx: VolumeContext,
    device: string,
    key: string,
    mapname: string,
    opts: CryptsetupOpenOptions & { onProgress?: (p: UnlockProgress) => void } = {},
  ): Promise<void> {
    await ctx.volumes.openAsync(ctx.device(device, 'cryptsetup_open'), key, mapname, opts);
  },

  /**
   * What the virt tools do with --key before anything else (inspect_do_decrypt): open each
   * encrypted partition a key is given for (map name "cryptsda2"), activate what LVM then
   * finds (lvm_scan true), then open each encrypted LV (map name "luks-UUID"). guestkit
   * also tries whole disks without a partition table, where a LUKS image dropped as is
   * keeps its volume. A device with matching keys none of which opens is 'locked'; the
   * opens go through `call`, so a trace shows them (with the key as "***").
   */
  decrypt_disks(
    ctx: VolumeContext,
    specs: readonly KeySpec[],
    opts: DecryptOptions,
  ): DecryptResult {
    const out: DecryptResult = { opened: [], skipped: [] };
    const first = ctx.volumes
      .deviceList()
      .filter((d) => d.kind === 'partition' || (d.kind === 'disk' && !d.drive.table));
    if (decryptEach(ctx, first, specs, opts, false, out)) ctx.call('lvm_scan', [true]);
    // Only active LVs have a device to read (vfs_type fails on the others).
    const listed = new Set(lvs(ctx.volumes.lvm));
    const lvDevices = ctx.volumes.deviceList().filter((d) => listed.has(d.name));
    decryptEach(ctx, lvDevices, specs, opts, true, out);
    return out;
  },
};

/** Opens every crypto_LUKS device of `devices` that has keys; true if any was opened. */
function decryptEach(
  ctx: VolumeContext,
  devices: Device[],
  specs: readonly KeySpec[],
  opts: DecryptOptions,
  byUuid: boolean,
  out: DecryptResult,
): boolean {
  let opened = false;
  for (const d of devices) {
    if (ctx.volumes.typeOf(d) !== 'crypto_LUKS' || ctx.volumes.isOpenLuks(d.name)) continue;
    const uuid = luksUuid(d.name, d.source);
    const keys = keysForDevice(specs, d.name, uuid, opts.readFile);
    if (keys.length === 0) {
      out.skipped.push(d.name);
      continue;
    }
    const mapname = decryptMapname(d.name, uuid, byUuid);
    if (!keys.some((key) => tryOpen(ctx, d.name, key, mapname)))
      throw new EngineError('locked', `could not find key to open LUKS encrypted ${d.name}`, {
        path: d.name,
      });
    out.opened.push(`${MAPPER}${mapname}`);
    opened = true;
  }
  return opened;
}

/** One cryptsetup_open through the handle's call (so tracing shows it, key as "***"). */
function tryOpen(ctx: VolumeContext, device: string, key: string, mapname: string): boolean {
  try {
    ctx.call('cryptsetup_open', [device, key, mapname], {});
    return true;
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'locked') return false;
    throw e;
  }
}
