// guestfs_application2 records as libguestfs' listers build them (every string present,
// "" when unknown; app2_trans_path and the spares always ""), the name sort it applies to
// every list, the version splitting the deb/apk/pacman listers share, and the deprecated
// guestfs_application struct.
// Reference: libguestfs lib/inspect-apps.c (add_application, sort_applications,
// guestfs_impl_inspect_list_applications), generator/structs.ml.

import type { Application2 } from '../types.js';

export type AppFields = Partial<Omit<Application2, 'app2_name'>> & { app2_name: string };

export function application(f: AppFields): Application2 {
  return {
    app2_name: f.app2_name,
    app2_display_name: f.app2_display_name ?? '',
    app2_epoch: f.app2_epoch ?? 0,
    app2_version: f.app2_version ?? '',
    app2_release: f.app2_release ?? '',
    app2_arch: f.app2_arch ?? '',
    app2_install_path: f.app2_install_path ?? '',
    app2_trans_path: '',
    app2_publisher: f.app2_publisher ?? '',
    app2_url: f.app2_url ?? '',
    app2_source_package: f.app2_source_package ?? '',
    app2_summary: f.app2_summary ?? '',
    app2_description: f.app2_description ?? '',
    app2_spare1: '',
    app2_spare2: '',
    app2_spare3: '',
    app2_spare4: '',
  };
}

/** strcmp order of the names (UTF-8 bytes); stable, so equal names keep database order. */
export function sortApplications(apps: Application2[]): Application2[] {
  const enc = new TextEncoder();
  const key = new Map(apps.map((a) => [a, enc.encode(a.app2_name)]));
  return [...apps].sort((a, b) => compareBytes(key.get(a)!, key.get(b)!));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * "[epoch:]version": the epoch as libguestfs parses it (an unsigned decimal; anything else
 * is -1, which makes the listers drop the package), and the rest.
 */
export function splitEpoch(text: string): { epoch: number; rest: string } {
  const colon = text.indexOf(':');
  if (colon < 0) return { epoch: 0, rest: text };
  const e = text.slice(0, colon);
  const epoch = /^\d+$/.test(e) && Number(e) <= 0x7fffffff ? Number(e) : -1;
  return { epoch, rest: text.slice(colon + 1) };
}

/** libguestfs' deprecated guestfs_application (inspect_list_applications): no arch, no spares. */
export interface Application {
  app_name: string;
  app_display_name: string;
  app_epoch: number;
  app_version: string;
  app_release: string;
  app_install_path: string;
  app_trans_path: string;
  app_publisher: string;
  app_url: string;
  app_source_package: string;
  app_summary: string;
  app_description: string;
}

export function toApplication(a: Application2): Application {
  return {
    app_name: a.app2_name,
    app_display_name: a.app2_display_name,
    app_epoch: a.app2_epoch,
    app_version: a.app2_version,
    app_release: a.app2_release,
    app_install_path: a.app2_install_path,
    app_trans_path: a.app2_trans_path,
    app_publisher: a.app2_publisher,
    app_url: a.app2_url,
    app_source_package: a.app2_source_package,
    app_summary: a.app2_summary,
    app_description: a.app2_description,
  };
}
