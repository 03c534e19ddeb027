// What the SOFTWARE hive says about the installation:
// HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion → ProductName (product_name),
// CurrentMajorVersionNumber/CurrentMinorVersionNumber or else CurrentVersion "6.1"
// (version), InstallationType (product_variant, verbatim: "Client", "Server", "Server
// Core"…) and CurrentBuildNumber (build_id; never CurrentBuild, which meant something else
// on Windows XP). ProductName is reported as stored: Windows 11 still says "Windows 10 …"
// there; only the build number (≥ 22000) tells them apart, in osinfo.
// Reference: libguestfs daemon/inspect_fs_windows.ml (check_windows_software_registry).

import type { Hive } from '../../regf/hive.js';
import { dwordValue, stringValue } from './registry-values.js';

export interface SoftwareFacts {
  product_name?: string;
  product_variant?: string;
  major_version?: number;
  minor_version?: number;
  build_id?: string;
}

export const CURRENT_VERSION_PATH = ['Microsoft', 'Windows NT', 'CurrentVersion'];

/** "6.1" → [6, 1]; libguestfs' parse_version_from_major_minor. */
export function parseMajorMinor(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), m[2] === undefined ? 0 : Number(m[2])];
}

export function readSoftwareHive(hive: Hive): SoftwareFacts {
  const cv = hive.lookup(CURRENT_VERSION_PATH);
  if (!cv) return {};
  const out: SoftwareFacts = {};
  const product = stringValue(hive, cv, 'ProductName');
  if (product !== undefined) out.product_name = product;
  const major = dwordValue(hive, cv, 'CurrentMajorVersionNumber');
  const minor = dwordValue(hive, cv, 'CurrentMinorVersionNumber');
  const version =
    major !== undefined && minor !== undefined
      ? [major, minor]
      : parseMajorMinor(stringValue(hive, cv, 'CurrentVersion') ?? '');
  if (version) [out.major_version, out.minor_version] = version;
  const variant = stringValue(hive, cv, 'InstallationType');
  if (variant !== undefined) out.product_variant = variant;
  const build = stringValue(hive, cv, 'CurrentBuildNumber');
  if (build !== undefined) out.build_id = build;
  return out;
}
