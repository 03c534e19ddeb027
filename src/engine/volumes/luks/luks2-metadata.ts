// The LUKS2 JSON metadata: keyslots, segments, digests, tokens and config, validated into
// typed objects (step 2 of parsing). 64-bit values are JSON strings of decimal digits and
// must fit below 2^53; binary values are base64. Every area and segment is checked against
// the metadata and device sizes before anything reads from it.
// Reference: LUKS2 On-Disk Format Specification 1.1, section 3 (JSON objects: 3.2 keyslots,
// 3.3 segments, 3.4 digests, 3.5 tokens, 3.6 config); cryptsetup
// lib/luks2/luks2_json_metadata.c (validation rules).

import { corrupt } from '../../errors.js';
import { J } from './json.js';
import {
  MAX_ARGON2_LANES,
  MAX_ARGON2_MEMORY_KIB,
  MAX_ARGON2_WORK_KIB,
  MAX_KEY_BYTES,
  MAX_KEY_MATERIAL_BYTES,
  MAX_LUKS2_OBJECTS,
  MAX_PBKDF2_ITERATIONS,
  SECTOR,
} from './limits.js';

export type Luks2Kdf =
  | { type: 'pbkdf2'; hash: string; iterations: number; salt: Uint8Array }
  | { type: 'argon2i' | 'argon2id'; time: number; memory: number; cpus: number; salt: Uint8Array }
  | { type: 'other'; name: string };

export interface Luks2Keyslot {
  id: number;
  /** "luks2" keyslots hold a key; others ("reencrypt") are listed but never unlocked. */
  type: string;
  keySize: number;
  /** 0 ignore (only when asked for by number), 1 normal, 2 high. */
  priority: number;
  kdf: Luks2Kdf;
  af: { stripes: number; hash: string };
  area: { offset: number; size: number; encryption: string; keySize: number };
}

export interface Luks2Segment {
  id: number;
  type: string;
  offset: number;
  /** Bytes, or 'dynamic' (to the end of the device). */
  size: number | 'dynamic';
  /** Added to the IV sector number (512-byte units). */
  ivTweak: number;
  encryption: string;
  sectorSize: number;
  flags: string[];
  /** Set when the segment carries dm-integrity metadata (unsupported). */
  integrity: boolean;
}

export interface Luks2Digest {
  id: number;
  type: string;
  keyslots: number[];
  segments: number[];
  hash: string;
  iterations: number;
  salt: Uint8Array;
  digest: Uint8Array;
}

export interface Luks2Metadata {
  keyslots: Luks2Keyslot[];
  segments: Luks2Segment[];
  digests: Luks2Digest[];
  tokens: { id: number; type: string; keyslots: number[] }[];
  config: { jsonSize: number; keyslotsSize: number; flags: string[]; requirements: string[] };
}

const ARGON2 = ['argon2i', 'argon2id'];

function parseKdf(j: J): Luks2Kdf {
  const type = j.str('type');
  if (type === 'pbkdf2') {
    return {
      type,
      hash: j.str('hash'),
      iterations: j.int('iterations', 1, MAX_PBKDF2_ITERATIONS),
      salt: j.base64('salt'),
    };
  }
  if (!ARGON2.includes(type)) return { type: 'other', name: type };
  const cpus = j.int('cpus', 1, MAX_ARGON2_LANES);
  const memory = j.int('memory', 8 * cpus, MAX_ARGON2_MEMORY_KIB);
  const time = j.int('time', 1, Math.floor(MAX_ARGON2_WORK_KIB / memory));
  return { type: type as 'argon2i' | 'argon2id', time, memory, cpus, salt: j.base64('salt') };
}

function parseKeyslot(j: J, id: number, areaStart: number, areaEnd: number): Luks2Keyslot {
  const type = j.str('type');
  const keySize = j.int('key_size', 1, MAX_KEY_BYTES);
  const area = j.obj('area');
  const offset = area.u64('offset');
  const size = area.u64('size');
  if (offset < areaStart || offset + size > areaEnd) {
    throw j.fail(`area ${offset}+${size} outside the keyslots area ${areaStart}..${areaEnd}`);
  }
  const af = j.obj('af');
  const stripes = af.int('stripes', 1, Math.floor(MAX_KEY_MATERIAL_BYTES / keySize));
  if (type === 'luks2' && keySize * stripes > size) {
    throw j.fail(`key material ${keySize} x ${stripes} larger than its area (${size})`);
  }
  return {
    id,
    type,
    keySize,
    priority: j.has('priority') ? j.int('priority', 0, 2) : 1,
    kdf: parseKdf(j.obj('kdf')),
    af: { stripes, hash: af.str('hash') },
    area: {
      offset,
      size,
      encryption: area.str('encryption'),
      keySize: area.int('key_size', 1, MAX_KEY_BYTES),
    },
  };
}

function parseSegment(j: J, id: number, deviceSize: number): Luks2Segment {
  const type = j.str('type');
  const offset = j.u64('offset');
  const sizeText = j.str('size');
  const size = sizeText === 'dynamic' ? 'dynamic' : j.u64('size');
  const sectorSize = type === 'crypt' ? j.int('sector_size', SECTOR, 4096) : SECTOR;
  if (![512, 1024, 2048, 4096].includes(sectorSize)) throw j.fail(`sector_size ${sectorSize}`);
  if (offset % SECTOR !== 0) throw j.fail(`offset ${offset} not sector-aligned`);
  if (size !== 'dynamic' && (size % sectorSize !== 0 || offset + size > deviceSize)) {
    throw j.fail(`size ${size} not a multiple of the sector or past the end of the device`);
  }
  return {
    id,
    type,
    offset,
    size,
    ivTweak: type === 'crypt' ? j.u64('iv_tweak') : 0,
    encryption: type === 'crypt' ? j.str('encryption') : '',
    sectorSize,
    flags: j.has('flags') ? j.strings('flags') : [],
    integrity: j.has('integrity'),
  };
}

function parseDigest(j: J, id: number): Luks2Digest {
  const type = j.str('type');
  const ids = (k: string) => j.strings(k).map((s) => J.id(s, j));
  return {
    id,
    type,
    keyslots: ids('keyslots'),
    segments: ids('segments'),
    hash: type === 'pbkdf2' ? j.str('hash') : '',
    iterations: type === 'pbkdf2' ? j.int('iterations', 1, MAX_PBKDF2_ITERATIONS) : 0,
    salt: type === 'pbkdf2' ? j.base64('salt') : new Uint8Array(0),
    digest: type === 'pbkdf2' ? j.base64('digest') : new Uint8Array(0),
  };
}

/** Each member of a top-level object, keyed by its numeric id. */
function members<T>(root: J, key: string, what: string, fn: (j: J, id: number) => T): T[] {
  const o = root.obj(key);
  const ids = o.keys();
  if (ids.length > MAX_LUKS2_OBJECTS) throw o.fail(`${ids.length} ${key}`);
  return ids
    .map((k) => {
      const id = J.id(k, o);
      return fn(o.obj(k, `LUKS2 ${what} ${id}`), id);
    })
    .sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
}

/**
 * Parses and validates the JSON text of a metadata area that starts at `jsonOffset`
 * (metadata area size `hdrSize`) on a device of `deviceSize` bytes.
 */
export function parseLuks2Metadata(
  text: string,
  jsonOffset: number,
  hdrSize: number,
  deviceSize: number,
): Luks2Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('LUKS2 JSON metadata', jsonOffset, 'not valid JSON');
  }
  const root = J.root(value, jsonOffset);
  const cfg = root.obj('config', 'LUKS2 config');
  const jsonSize = cfg.u64('json_size');
  if (jsonSize !== hdrSize - 4096)
    throw cfg.fail(`json_size ${jsonSize} does not match hdr_size ${hdrSize}`);
  const keyslotsSize = cfg.u64('keyslots_size');
  const areaStart = 2 * hdrSize;
  const areaEnd = Math.min(areaStart + keyslotsSize, deviceSize);
  const requirements = cfg.has('requirements') ? cfg.obj('requirements') : undefined;
  return {
    keyslots: members(root, 'keyslots', 'keyslot', (j, id) =>
      parseKeyslot(j, id, areaStart, areaEnd),
    ),
    segments: members(root, 'segments', 'segment', (j, id) => parseSegment(j, id, deviceSize)),
    digests: members(root, 'digests', 'digest', parseDigest),
    tokens: members(root, 'tokens', 'token', (j, id) => ({
      id,
      type: j.str('type'),
      keyslots: j.strings('keyslots').map((s) => J.id(s, j)),
    })),
    config: {
      jsonSize,
      keyslotsSize,
      flags: cfg.has('flags') ? cfg.strings('flags') : [],
      requirements: requirements?.has('mandatory') ? requirements.strings('mandatory') : [],
    },
  };
}
