// The worker's inspection of an opened image set: the OS identity of every root (what
// virt-inspector reports, plus the icon the guest carries) and, on demand, one root's
// installed applications. It runs on a handle of its own over the same files (same page
// cache), so that inspect_os — which unmounts everything — and mounting a guest to list
// its packages never disturb what the file browser has mounted.
// Reference: DESIGN.md "Worker API" (inspect, applications); guestfs(3) "INSPECTION".

import { Guestfs } from '../engine/guestfs/handle.js';
import { inspectMountRoot, inspectorReport } from '../engine/guestfs/inspector-report.js';
import type { GuestfsEnvironment } from '../engine/guestfs/environment.js';
import type { ReportOs } from '../engine/inspect/report.js';
import type { Application2, OsRoot } from '../engine/inspect/types.js';

/** One inspected OS as the identity card shows it. */
export interface InspectedOs {
  /** Every inspect_get_* answer. */
  os: OsRoot;
  /** virt-inspector's view: sorted mountpoints, filesystems with type, label and UUID. */
  report: ReportOs;
  /** The guest's own icon (PNG), when it has one. */
  icon?: Uint8Array;
  /** Filesystems of this OS that could not be mounted to look for the icon. */
  warnings: string[];
}

export interface InspectionNoteView {
  device: string;
  type: string;
  kind: 'unreadable' | 'damaged';
  message: string;
}

export interface InspectionView {
  roots: InspectedOs[];
  /** Filesystems inspection could not read (no driver, encrypted, damaged, BSD). */
  notes: InspectionNoteView[];
  /** Wall time of inspect_os in the worker, in milliseconds. */
  millis: number;
}

export interface ApplicationsView {
  root: string;
  applications: Application2[];
  warnings: string[];
  millis: number;
}

export interface InspectionOptions {
  /** Where sql-wasm.wasm is served (rpm databases in sqlite form need it). */
  sqlWasmUrl?: string;
}

export class Inspection {
  private handle: Guestfs | undefined;
  private view: InspectionView | undefined;

  constructor(
    private readonly env: GuestfsEnvironment,
    private readonly drives: readonly string[],
    private readonly format: string | undefined,
    private readonly opts: InspectionOptions = {},
  ) {}

  private async launched(): Promise<Guestfs> {
    if (this.handle) return this.handle;
    const g = new Guestfs(this.env);
    for (const d of this.drives) g.add_drive_opts(d, { format: this.format, readonly: true });
    g.launch();
    await g.prepareInspection({ sqlWasmUrl: this.opts.sqlWasmUrl });
    this.handle = g;
    return g;
  }

  /** inspect_os and every root's identity (computed once per session). */
  async inspect(): Promise<InspectionView> {
    if (this.view) return this.view;
    const g = await this.launched();
    const t0 = performance.now();
    const rootNames = g.inspect_os();
    const millis = performance.now() - t0;
    const notes = g.inspect_notes().map(({ device, type, kind, message }) => ({
      device,
      type,
      kind,
      message,
    }));
    const roots = rootNames.map((root): InspectedOs => {
      const { report, warnings } = inspectorReport(g, [root], { applications: false, icon: true });
      const shown = report.operatingsystems[0]!;
      const { icon, ...rest } = shown;
      return { os: g.inspect_root(root), report: rest, icon, warnings };
    });
    this.view = { roots, notes, millis };
    return this.view;
  }

  /** inspect_list_applications2 with the root's filesystems mounted as its fstab says. */
  async applications(root: string): Promise<ApplicationsView> {
    await this.inspect();
    const g = await this.launched();
    const t0 = performance.now();
    const warnings = inspectMountRoot(g, root);
    try {
      const applications = g.inspect_list_applications2(root);
      return { root, applications, warnings, millis: performance.now() - t0 };
    } finally {
      g.umount_all();
    }
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
    this.view = undefined;
  }
}
