// The semantics of libguestfs' LUKS actions and of the virt tools' --key option, as pure
// helpers the Guestfs handle and the CLI call: cryptsetup_open / luks_open / luks_open_ro
// (a new /dev/mapper/MAPNAME), cryptsetup_close / luks_close, luks_uuid, list_dm_devices,
// and the key store that decides which keys to try on which device (inspection's
// automatic decryption).
// Reference: libguestfs daemon/luks.c and daemon/cryptsetup.c (checks and messages),
// generator/actions_core.ml (action docs), libguestfs-common options/keys.c (key
// selectors: ID:key:KEY_STRING, ID:file:FILENAME, ID:clevis; "all"; /dev/mapper/VG-LV
// ids) and options/decrypt.c (map names "cryptsda2", or "luks-UUID" for LVs).

import { EngineError, errno, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import type { MemberDevice, VolumeDevice } from '../types.js';
import { LuksContainer, type LuksVolume, type UnlockOptions } from './luks.js';

export const MAPPER = '/dev/mapper/';
/** device-mapper names are at most 127 bytes (DM_NAME_LEN 128 with its NUL). */
const DM_NAME_MAX = 127;

/** Throws EINVAL unless `mapname` can name a /dev/mapper device. */
export function validateMapname(mapname: string): void {
  const bad =
    mapname === '' ||
    mapname === '.' ||
    mapname === '..' ||
    mapname === 'control' ||
    mapname.includes('/') ||
    new TextEncoder().encode(mapname).length > DM_NAME_MAX;
  if (bad) throw errno('EINVAL', mapname, 'invalid device-mapper name');
}

/** "/dev/mapper/NAME" → "NAME"; anything else is the caller's error (luks_close). */
export function mapnameOf(device: string): string {
  if (!device.startsWith(MAPPER) || device.length === MAPPER.length) {
    throw errno(
      'EINVAL',
      device,
      'you must call this on the /dev/mapper device created by luks_open',
    );
  }
  return device.slice(MAPPER.length);
}

/** luks_uuid: the UUID of the LUKS header on `source` (no key needed). */
export function luksUuid(device: string, source: BlockSource): string {
  return openContainer(device, source).uuid;
}

/** Opens the header, turning "this is not LUKS at all" into the caller's EINVAL. */
function openContainer(device: string, source: BlockSource): LuksContainer {
  try {
    return LuksContainer.open(source, device);
  } catch (e) {
    if (e instanceof EngineError && e.structure === 'LUKS header' && e.offset === 0) {
      throw errno('EINVAL', device, 'not a valid LUKS device');
    }
    throw e;
  }
}

/** /dev/mapper name of an LVM logical volume: hyphens in VG and LV are doubled. */
export function lvMapperName(vg: string, lv: string): string {
  return `${MAPPER}${vg.replaceAll('-', '--')}-${lv.replaceAll('-', '--')}`;
}

/** list_dm_devices: every /dev/mapper device (LUKS mappings and LVs), sorted. */
export function listDmDevices(
  luksMapnames: Iterable<string>,
  lvs: Iterable<{ vg: string; lv: string }> = [],
): string[] {
  const names = [...luksMapnames].map((n) => MAPPER + n);
  for (const { vg, lv } of lvs) names.push(lvMapperName(vg, lv));
  return [...new Set(names)].sort();
}

export interface OpenRequest {
  /** The encrypted device (a partition, an LV, a whole disk). */
  device: MemberDevice;
  /** The key as libguestfs passes it: a string (its bytes are the passphrase), or the
   * bytes of a key file. */
  key: string | Uint8Array;
  mapname: string;
  readonly?: boolean;
  /** cryptsetup_open's crypttype: "luks" (or absent: detected); "bitlk" is unsupported. */
  crypttype?: string;
  unlock?: UnlockOptions;
}

interface Mapping {
  device: VolumeDevice;
  volume: LuksVolume;
  underlying: string;
}

/** The open LUKS mappings of one handle: the state behind cryptsetup_open/close. */
export class LuksMappings {
  readonly #open = new Map<string, Mapping>();

  /** cryptsetup_open (and luks_open, luks_open_ro with readonly). */
  open(req: OpenRequest): VolumeDevice {
    const container = this.#check(req);
    return this.#add(req, container.unlock(req.key, { ...req.unlock, readonly: !!req.readonly }));
  }

  /** The same with WebCrypto's native PBKDF2 (LuksContainer.unlockAsync), for async callers. */
  async openAsync(req: OpenRequest): Promise<VolumeDevice> {
    const container = this.#check(req);
    const volume = await container.unlockAsync(req.key, {
      ...req.unlock,
      readonly: !!req.readonly,
    });
    return this.#add(req, volume);
  }

  /** Everything cryptsetup checks before it asks for a key. */
  #check(req: OpenRequest): LuksContainer {
    validateMapname(req.mapname);
    if (req.crypttype !== undefined && req.crypttype !== 'luks') {
      throw req.crypttype === 'bitlk'
        ? unsupported('BitLocker (cryptsetup_open crypttype bitlk)')
        : errno('EINVAL', req.device.name, `unknown crypttype ${req.crypttype}`);
    }
    const path = MAPPER + req.mapname;
    if (this.#open.has(req.mapname)) throw errno('EEXIST', path, 'device already exists');
    for (const m of this.#open.values()) {
      if (m.underlying === req.device.name) {
        throw errno('EINVAL', req.device.name, `already in use by ${m.device.name}`);
      }
    }
    return openContainer(req.device.name, req.device.source);
  }

  #add(req: OpenRequest, volume: LuksVolume): VolumeDevice {
    // An async unlock may have raced another open of the same name.
    if (this.#open.has(req.mapname))
      throw errno('EEXIST', MAPPER + req.mapname, 'device already exists');
    const device = volume.device(req.mapname, req.device);
    this.#open.set(req.mapname, { device, volume, underlying: req.device.name });
    return device;
  }

  /** cryptsetup_close / luks_close: `device` is the /dev/mapper path. */
  close(device: string): void {
    const name = mapnameOf(device);
    if (!this.#open.delete(name)) throw errno('ENOENT', device, 'no such device-mapper device');
  }

  get(device: string): VolumeDevice | undefined {
    return device.startsWith(MAPPER)
      ? this.#open.get(device.slice(MAPPER.length))?.device
      : undefined;
  }

  /** The open mappings, as VolumeDevices, in name order. */
  devices(): VolumeDevice[] {
    return [...this.#open.keys()].sort().map((n) => this.#open.get(n)!.device);
  }

  /** Map names (without /dev/mapper/), for listDmDevices. */
  mapnames(): string[] {
    return [...this.#open.keys()].sort();
  }
}

// --- the virt tools' key store ------------------------------------------------------------

export type KeySpec =
  | { id: string; type: 'key'; value: string }
  | { id: string; type: 'file'; file: string }
  | { id: string; type: 'clevis' };

/** /dev/mapper/VG-LV → /dev/VG/LV, as keys.c rewrites key ids: "--" is an escaped hyphen,
 * a single "-" the separator, which must be unique and neither first nor last; any other
 * id is returned unchanged. */
export function unescapeLvId(id: string): string {
  if (!id.startsWith(MAPPER)) return id;
  const s = id.slice(MAPPER.length);
  if (s.includes('/')) return id;
  let out = '';
  let separated = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '-') {
      out += s[i];
    } else if (s[i + 1] === '-') {
      out += '-';
      i++;
    } else if (separated || i === 0 || i === s.length - 1) {
      return id;
    } else {
      out += '/';
      separated = true;
    }
  }
  return separated ? `/dev/${out}` : id;
}

/** Parses one `--key SELECTOR` (ID:key:KEY_STRING, ID:file:FILENAME or ID:clevis). As in
 * the virt tools, fields are split at every colon: a key with a colon needs file:. */
export function parseKeySelector(selector: string): KeySpec {
  const fields = selector.split(':');
  // The message names the selector's ID and TYPE only: the third field may be a passphrase.
  const shown = fields.slice(0, 2).join(':') + (fields.length > 2 ? ':***' : '');
  const fail = (why: string) => new EngineError('EINVAL', `selector '${shown}': ${why}`);
  if (!fields[0]) throw fail('missing ID');
  if (fields.length < 2) throw fail('missing TYPE');
  const id = unescapeLvId(fields[0]);
  switch (fields[1]) {
    case 'key':
      if (fields.length !== 3) throw fail('missing KEY_STRING, or too many fields');
      return { id, type: 'key', value: fields[2]! };
    case 'file':
      if (fields.length !== 3) throw fail('missing FILENAME, or too many fields');
      return { id, type: 'file', file: fields[2]! };
    case 'clevis':
      if (fields.length !== 2) throw fail('too many fields');
      return { id, type: 'clevis' };
    default:
      throw fail('invalid TYPE');
  }
}

/**
 * The keys to try on `device` (whose LUKS UUID is `uuid`), in command-line order: those
 * whose ID is the device, the UUID, or "all". A file: key is the first line of the file
 * (without its newline), as the virt tools read it; `readFile` does the host I/O.
 */
export function keysForDevice(
  specs: readonly KeySpec[],
  device: string,
  uuid: string | undefined,
  readFile: (name: string) => Uint8Array,
): string[] {
  const out: string[] = [];
  for (const k of specs) {
    if (k.id !== 'all' && k.id !== device && k.id !== uuid) continue;
    if (k.type === 'clevis') throw unsupported('clevis (network-bound disk encryption)');
    if (k.type === 'key') out.push(k.value);
    else out.push(new TextDecoder().decode(readFile(k.file)).split('\n')[0]!);
  }
  return out;
}

/** The map name inspection gives a decrypted device: "cryptsda2" from /dev/sda2 (only
 * letters and digits kept), or "luks-UUID" for logical volumes. */
export function decryptMapname(device: string, uuid?: string, byUuid = false): string {
  if (byUuid && uuid) return `luks-${uuid}`;
  const tail = device.startsWith('/dev/') ? device.slice(5) : device;
  return `crypt${tail.replace(/[^A-Za-z0-9]/g, '')}`;
}

/**
 * Inspection's automatic decryption of one device: try each matching key in turn and open
 * the first that works. No matching key, or none that opens: 'locked', as the virt tools
 * say it ("could not find key to open LUKS encrypted DEVICE").
 */
export function openWithKeys(
  mappings: LuksMappings,
  device: MemberDevice,
  specs: readonly KeySpec[],
  opts: { byUuid?: boolean; readonly?: boolean; readFile: (name: string) => Uint8Array },
): VolumeDevice {
  const uuid = luksUuid(device.name, device.source);
  const keys = keysForDevice(specs, device.name, uuid, opts.readFile);
  const mapname = decryptMapname(device.name, uuid, opts.byUuid);
  for (const key of keys) {
    try {
      return mappings.open({ device, key, mapname, readonly: !!opts.readonly });
    } catch (e) {
      if (!(e instanceof EngineError) || e.kind !== 'locked') throw e;
    }
  }
  throw new EngineError('locked', `could not find key to open LUKS encrypted ${device.name}`, {
    path: device.name,
  });
}
