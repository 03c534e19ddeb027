// ZFS vdev labels: four 256 KiB labels, two at the start and two at the end of the
// device, each with an XDR-encoded nvlist at 16 KiB and 128 uberblocks of 1 KiB from
// 128 KiB. libblkid wants at least four uberblocks in total, then takes VERSION from the
// uberblock and the pool name, pool GUID (UUID) and vdev GUID (UUID_SUB) from the nvlist
// of the label where the count was reached.
// Reference: OpenZFS "ZFS On-Disk Specification" 1.3 (vdev label), 1.3.3 (uberblock),
// and the XDR nvlist encoding; util-linux libblkid superblocks/zfs.c (2.38).

import { Bytes, latin1 } from '../../io/bytes.js';
import { Found, guarded } from './prober.js';
import type { ProbeReader } from './reader.js';
import { rawLabel } from './text.js';
import type { FsProber, ProbeResult } from './types.js';

const LABEL_SIZE = 256 * 1024;
const UBERBLOCK_AREA = 128 * 1024;
const UBERBLOCK_SIZE = 1024;
const UBERBLOCK_COUNT = 128;
const NVLIST_OFFSET = 16 * 1024;
/** libblkid reads the first 4 KiB of the nvlist only. */
const NVLIST_READ = 4096;
const UB_MAGIC = 0x00bab10cn;
const UB_MAGIC_SWAPPED = 0x0cb1ba0000000000n;
/** Uberblocks libblkid requires before it believes the labels. */
const ZFS_WANT = 4;
/** blkid's minimum device size for ZFS. */
const MIN_SIZE = 64 * 1024 * 1024;
const DATA_TYPE_UINT64 = 8;
const DATA_TYPE_STRING = 9;

interface Uberblocks {
  found: number;
  version: bigint;
}

/** Count uberblocks (either byte order) in the uberblock area of the label at `off`. */
function scanLabel(r: ProbeReader, off: number): Uberblocks | undefined {
  const area = r.bytes(off + UBERBLOCK_AREA, UBERBLOCK_COUNT * UBERBLOCK_SIZE);
  if (!area) return undefined;
  const ub = new Bytes(area, 'ZFS uberblock array', off + UBERBLOCK_AREA);
  let found = 0;
  let version = 0n;
  for (let i = 0; i < UBERBLOCK_COUNT; i++) {
    const magic = ub.u64leBig(i * UBERBLOCK_SIZE);
    if (magic === UB_MAGIC) {
      found++;
      version = ub.u64leBig(i * UBERBLOCK_SIZE + 8);
    } else if (magic === UB_MAGIC_SWAPPED) {
      found++;
      version = ub.u64beBig(i * UBERBLOCK_SIZE + 8);
    }
  }
  return { found, version };
}

/** C strncmp(name, want, name.length) === 0, as libblkid compares nvpair names. */
function nameMatches(name: string, want: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const a = name.charCodeAt(i);
    const b = i < want.length ? want.charCodeAt(i) : 0;
    if (a !== b) return false;
    if (a === 0) return true;
  }
  return true;
}

/** zfs_extract_guid_name: walk the nvpairs of the label's nvlist. */
function readNvlist(r: ProbeReader, labelOff: number, f: Found): void {
  const at = labelOff + NVLIST_OFFSET;
  const buf = r.bytes(at, NVLIST_READ);
  if (!buf) return;
  const nv = new Bytes(buf, 'ZFS label nvlist', at);
  let p = 12; // XDR encoding header (4) + nvlist version and flags (8)
  let left = NVLIST_READ - p;
  for (let found = 0; left > 12 && found < 3;) {
    const size = nv.u32be(p);
    if (size === 0) break;
    const nameLen = nv.u32be(p + 8);
    let avail = size - nameLen - 12;
    if (left < size || avail < 0) break;
    const name = latin1(nv.raw(p + 12, Math.min(nameLen, left - 12)));
    const value = p + 12 + ((nameLen + 3) & ~3);
    if (nameMatches(name, 'name')) {
      const type = nv.u32be(value);
      const len = nv.u32be(value + 8);
      avail -= len + 12;
      if (type === DATA_TYPE_STRING && avail >= 0)
        f.set('LABEL', rawLabel(nv.raw(value + 12, len)));
      found++;
    } else if (nameMatches(name, 'guid') || nameMatches(name, 'pool_guid')) {
      const type = nv.u32be(value);
      const v = nv.u64beBig(value + 8);
      avail -= 16;
      const key = nameMatches(name, 'guid') ? 'UUID_SUB' : 'UUID';
      if (type === DATA_TYPE_UINT64 && avail >= 0 && (key === 'UUID_SUB' || v !== 0n)) {
        f.set(key, v.toString());
      }
      found++;
    }
    left = left > size ? left - size : 0;
    p += size;
  }
}

function probeZfs(r: ProbeReader): ProbeResult | undefined {
  const align = r.size % LABEL_SIZE;
  const labels = [0, LABEL_SIZE, r.size - 2 * LABEL_SIZE - align, r.size - LABEL_SIZE - align];
  let found = 0;
  let version = 0n;
  let labelOff = 0;
  for (const off of labels) {
    labelOff = off;
    const ub = scanLabel(r, off);
    if (!ub) return undefined;
    if (ub.found > 0) {
      found += ub.found;
      version = ub.version;
      if (found >= ZFS_WANT) break;
    }
  }
  if (found < ZFS_WANT) return undefined;
  const f = new Found().set('VERSION', version.toString());
  readNvlist(r, labelOff - (labelOff % LABEL_SIZE), f);
  // libblkid 2.38 declares zfs_member with filesystem usage.
  return f.result('zfs_member', 'filesystem');
}

export const zfsProber = {
  type: 'zfs_member',
  probe: (src) => guarded(src, (r) => (r.size < MIN_SIZE ? undefined : probeZfs(r))),
} satisfies FsProber;
