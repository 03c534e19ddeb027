// virt-inspector's report as data: per OS root the elements its XML holds, in its order and
// with its rules (unknown values left out, mountpoints sorted by length then name,
// filesystems by name, drive letters case-insensitively, only non-empty application
// fields). The XML writer (virt-inspector-xml.ts), the CLI's --json and the UI's identity
// card all read this one structure; guestfs/inspector-report.ts builds it from a handle.
// Reference: guestfs-tools inspector/inspector.c (output_root, output_mountpoints,
// output_filesystems, output_drive_mappings, output_applications), virt-inspector.rng.

import type { Application2 } from './types.js';

export interface ReportMountpoint {
  dev: string;
  mountpoint: string;
}

export interface ReportFilesystem {
  dev: string;
  type?: string;
  label?: string;
  uuid?: string;
}

export interface ReportDriveMapping {
  name: string;
  dev: string;
}

/** An <application>: the non-empty guestfs_application2 fields under their XML names. */
export interface ReportApplication {
  name: string;
  display_name?: string;
  epoch?: number;
  version?: string;
  release?: string;
  arch?: string;
  install_path?: string;
  publisher?: string;
  url?: string;
  source_package?: string;
  summary?: string;
  description?: string;
}

export interface ReportOs {
  root: string;
  name?: string;
  arch?: string;
  distro?: string;
  product_name?: string;
  product_variant?: string;
  major_version: number;
  minor_version: number;
  package_format?: string;
  package_management?: string;
  windows_systemroot?: string;
  windows_current_control_set?: string;
  hostname?: string;
  osinfo?: string;
  mountpoints: ReportMountpoint[];
  filesystems: ReportFilesystem[];
  drive_mappings?: ReportDriveMapping[];
  /** Absent with --no-applications. */
  applications?: ReportApplication[];
  /** PNG bytes; absent with --no-icon or when the guest has none. */
  icon?: Uint8Array;
}

export interface InspectorReport {
  operatingsystems: ReportOs[];
}

/** C strcmp on the UTF-8 bytes (JavaScript's < compares UTF-16 units). */
export function strcmp(a: string, b: string): number {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** strcasecmp: ASCII letters folded to lower case, bytes compared. */
export function strcasecmp(a: string, b: string): number {
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return strcmp(fold(a), fold(b));
}

/** virt-inspector's mountpoint order: shorter mountpoint first, then by name. */
export function compareMountpoints(a: string, b: string): number {
  const la = new TextEncoder().encode(a).length;
  const lb = new TextEncoder().encode(b).length;
  return la - lb || strcmp(a, b);
}

/** The application's XML fields: empty strings and a zero epoch are left out. */
export function reportApplication(a: Application2): ReportApplication {
  const out: ReportApplication = { name: a.app2_name };
  const put = (k: keyof ReportApplication, v: string) => {
    if (v !== '') (out as unknown as Record<string, string>)[k] = v;
  };
  put('display_name', a.app2_display_name);
  if (a.app2_epoch !== 0) out.epoch = a.app2_epoch;
  put('version', a.app2_version);
  put('release', a.app2_release);
  put('arch', a.app2_arch);
  put('install_path', a.app2_install_path);
  put('publisher', a.app2_publisher);
  put('url', a.app2_url);
  put('source_package', a.app2_source_package);
  put('summary', a.app2_summary);
  put('description', a.app2_description);
  return out;
}
