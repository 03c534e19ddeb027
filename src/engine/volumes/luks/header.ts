// Which LUKS header a device carries: LUKS1 or LUKS2 by the primary's signature and
// version, or - when the primary is damaged - a LUKS2 secondary copy, unless the device
// now carries another signature where the primary was.
// Reference: LUKS1 On-Disk Format Specification 1.2.3, section 4.1 (magic, version);
// LUKS2 On-Disk Format Specification 1.1, section 2; cryptsetup lib/luks2/
// luks2_disk_metadata.c (no auto-recovery when blkid sees other signatures).

import { corrupt, EngineError, unsupported } from '../../errors.js';
import { probeAll } from '../../fs/probe/registry.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes, toHex } from '../../io/bytes.js';
import { LUKS_MAGIC, readLuks1, type Luks1Header } from './luks1-header.js';
import { readLuks2, type Luks2Header } from './luks2-header.js';

/** Dispatches on the signature and version; a damaged LUKS2 primary (magic or version)
 * still opens from its secondary. */
export function readHeader(src: BlockSource): Luks1Header | Luks2Header {
  const head = src.size >= 8 ? new Bytes(src.readAt(0, 8), 'LUKS header') : undefined;
  const magic = head !== undefined && LUKS_MAGIC.every((b, i) => head.buf[i] === b);
  const version = magic ? head.u16be(6) : -1;
  if (version === 1) return readLuks1(src);
  if (version === 2) return readLuks2(src);
  const secondary = secondaryOnly(src, magic);
  if (secondary) return recoverable(src, secondary);
  if (!magic) {
    throw corrupt(
      'LUKS header',
      0,
      'bad magic',
      '4c554b53babe',
      head ? toHex(head.raw(0, 6)) : 'none',
    );
  }
  if (version === 0) throw corrupt('LUKS header', 6, 'bad version', '1|2', version);
  throw unsupported(`LUKS version ${version}`);
}

/** The LUKS2 header when only its secondary copy is valid (the primary's magic or
 * version is gone), else undefined. */
function secondaryOnly(src: BlockSource, primaryMagic: boolean): Luks2Header | undefined {
  try {
    return readLuks2(src);
  } catch (e) {
    // Without a primary signature, a secondary that was found but is damaged is the news.
    if (!(e instanceof EngineError)) throw e;
    if (!primaryMagic && e.structure === 'LUKS2 secondary header') throw e;
    return undefined;
  }
}

/**
 * A header found only through its secondary copy is used unless the device now carries
 * another signature where the primary was: then the primary was overwritten on purpose
 * (the device became an LVM PV, a filesystem ...) and the old secondary is stale. This is
 * cryptsetup's refusal to auto-recover "ambiguous signatures".
 */
function recoverable(src: BlockSource, hdr: Luks2Header): Luks2Header {
  const others = probeAll(src).filter((r) => r.type !== 'crypto_LUKS');
  if (others.length) {
    throw corrupt(
      'LUKS2 primary header',
      0,
      `missing, and the device now carries ${others.map((r) => r.type).join(', ')}: not recovering from the secondary`,
    );
  }
  return hdr;
}
