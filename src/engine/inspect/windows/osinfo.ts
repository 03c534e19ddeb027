// libosinfo short ids for Windows, libguestfs' table: by version, "Server" in the product
// variant, a year or "R2" in the product name, and for 10.0 clients the build number
// (Windows 11 kept version 10.0 and even "Windows 10" in ProductName; builds ≥ 22000 are
// Windows 11).
// Reference: libguestfs lib/inspect-osinfo.c (guestfs_impl_inspect_get_osinfo).

interface WindowsIdentity {
  major_version: number;
  minor_version: number;
  product_name: string;
  product_variant: string;
  build_id: string;
}

/** [major, minor, id, variant must contain, name must contain]; first match wins. */
const TABLE: [number, number, string, string | undefined, string | undefined][] = [
  [5, 1, 'winxp', undefined, undefined],
  [5, 2, 'winxp', undefined, 'XP'],
  [5, 2, 'win2k3r2', undefined, 'R2'],
  [5, 2, 'win2k3', undefined, undefined],
  [6, 0, 'win2k8', 'Server', undefined],
  [6, 0, 'winvista', undefined, undefined],
  [6, 1, 'win2k8r2', 'Server', undefined],
  [6, 1, 'win7', undefined, undefined],
  [6, 2, 'win2k12', 'Server', undefined],
  [6, 2, 'win8', undefined, undefined],
  [6, 3, 'win2k12r2', 'Server', undefined],
  [6, 3, 'win8.1', undefined, undefined],
  [10, 0, 'win2k25', 'Server', '2025'],
  [10, 0, 'win2k22', 'Server', '2022'],
  [10, 0, 'win2k19', 'Server', '2019'],
  [10, 0, 'win2k16', 'Server', undefined],
];

/** First build number of Windows 11. */
export const WINDOWS_11_FIRST_BUILD = 22000;

export function windowsOsinfo(os: WindowsIdentity): string {
  const {
    major_version: major,
    minor_version: minor,
    product_name: name,
    product_variant: variant,
  } = os;
  for (const [ma, mi, id, needVariant, needName] of TABLE) {
    if (ma !== major || mi !== minor) continue;
    if (needVariant !== undefined && !variant.includes(needVariant)) continue;
    if (needName !== undefined && !name.includes(needName)) continue;
    return id;
  }
  if (major === 10 && minor === 0 && !variant.includes('Server')) {
    // libguestfs fails here when the build is not a number; we answer "unknown".
    if (!/^\d+$/.test(os.build_id)) return 'unknown';
    return Number(os.build_id) >= WINDOWS_11_FIRST_BUILD ? 'win11' : 'win10';
  }
  return 'unknown';
}
