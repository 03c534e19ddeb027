// The prober registry and blkid -p's decision rules. Probers run in libblkid's order
// (RAID and volume-manager signatures, then crypto, then filesystems), over one shared
// reader so that all of them together cost a handful of source reads.
//
// Which answer wins is libblkid's superblocks_safeprobe():
// - the first RAID/volume-manager or crypto signature found ends the search and is the
//   answer (this is why cryptsetup's blkid-luks2-pv.img, a LUKS2 header that also
//   carries an LVM2 label, is reported as LVM2_member: LVM comes first);
// - otherwise, when more than one filesystem matches and at least one of them is not
//   "tolerant" (only iso9660, udf and hfs are), the result is ambiguous and blkid
//   reports nothing;
// - on devices up to floppy size (1440 KiB) the first match wins without that check,
//   and RAID signatures are not looked for at all.
// Reference: util-linux libblkid superblocks/superblocks.c (idinfos[], superblocks_probe,
// superblocks_safeprobe), probe.c (blkid_probe_is_tiny).

import type { BlockSource } from '../../io/block-source.js';
import { apfsProber } from './apfs.js';
import { bitlockerProber } from './bitlocker.js';
import { btrfsProber } from './btrfs.js';
import { exfatProber } from './exfat.js';
import { ext2Prober, ext3Prober, ext4devProber, ext4Prober, jbdProber } from './ext.js';
import { f2fsProber } from './f2fs.js';
import { hfsProber, hfsplusProber } from './hfsplus.js';
import { iso9660Prober } from './iso9660.js';
import { luksProber } from './luks.js';
import { lvm2Prober } from './lvm.js';
import { linuxRaidProber } from './md-raid.js';
import { ntfsProber } from './ntfs.js';
import { ProbeReader, ProbeSource, type ProbeReadStats } from './reader.js';
import { squashfs3Prober, squashfsProber } from './squashfs.js';
import { swapProber, swsuspendProber } from './swap.js';
import type { FsProber, ProbeResult } from './types.js';
import { udfProber } from './udf.js';
import { vfatProber } from './vfat.js';
import { xfsProber } from './xfs.js';
import { zfsProber } from './zfs.js';

/** libblkid's idinfos[] order, restricted to the signatures we know. */
export const PROBERS: readonly FsProber[] = [
  linuxRaidProber,
  lvm2Prober,
  luksProber,
  bitlockerProber,
  vfatProber,
  swsuspendProber,
  swapProber,
  xfsProber,
  ext4devProber,
  ext4Prober,
  ext3Prober,
  ext2Prober,
  jbdProber,
  udfProber,
  iso9660Prober,
  zfsProber,
  hfsplusProber,
  hfsProber,
  ntfsProber,
  squashfsProber,
  squashfs3Prober,
  btrfsProber,
  exfatProber,
  f2fsProber,
  apfsProber,
];

/** blkid_probe_is_tiny: floppy-sized devices get the first match, no RAID probing. */
const TINY_DEVICE = 1440 * 1024;

export interface ProbeVerdict {
  /** What `blkid -p` reports, or undefined for nothing found or an ambiguous result. */
  result: ProbeResult | undefined;
  /** Every signature the search looked at before it decided, in registry order. */
  candidates: ProbeResult[];
  /** True when several filesystems matched and blkid -p would refuse to pick one. */
  ambiguous: boolean;
  /** Source reads the whole probe cost. */
  reads: ProbeReadStats;
}

const stopsSearch = (r: ProbeResult): boolean => r.usage === 'raid' || r.usage === 'crypto';

/** The full blkid -p decision, with the candidates it saw. Never throws. */
export function probeVerdict(src: BlockSource): ProbeVerdict {
  const reader = new ProbeReader(src);
  const shared = new ProbeSource(reader);
  const tiny = src.size <= TINY_DEVICE;
  const candidates: ProbeResult[] = [];
  let first: ProbeResult | undefined;
  let intolerant = 0;
  let last: ProbeResult | undefined;
  for (const prober of PROBERS) {
    const res = safeProbe(prober, shared);
    if (!res || (tiny && res.usage === 'raid')) continue;
    candidates.push(res);
    last = res;
    if (tiny && candidates.length === 1) break;
    if (stopsSearch(res)) break;
    if (!prober.tolerant) intolerant++;
    if (candidates.length === 1) first = res;
  }
  const ambiguous = !tiny && candidates.length > 1 && intolerant > 0;
  const result = ambiguous ? undefined : (first ?? last);
  return { result, candidates, ambiguous, reads: reader.stats };
}

/** What `blkid -p` reports for the source, or undefined (nothing, or ambiguous). */
export function probe(src: BlockSource): ProbeResult | undefined {
  return probeVerdict(src).result;
}

/** Every signature present, in registry order, without blkid's tie-breaking. */
export function probeAll(src: BlockSource): ProbeResult[] {
  const shared = new ProbeSource(new ProbeReader(src));
  const out: ProbeResult[] = [];
  for (const prober of PROBERS) {
    const res = safeProbe(prober, shared);
    if (res) out.push(res);
  }
  return out;
}

/** A prober is contracted never to throw; the registry does not rely on it. */
function safeProbe(prober: FsProber, src: BlockSource): ProbeResult | undefined {
  try {
    return prober.probe(src);
  } catch {
    return undefined;
  }
}
