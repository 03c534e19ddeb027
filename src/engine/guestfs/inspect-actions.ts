// The inspect_* and hivex_* actions, bound onto the Guestfs handle under libguestfs' names.
// inspect_os unmounts everything, classifies every filesystem (each mounted read-only on
// its own, outside the mount table) and keeps the result with the handle's filesystem
// layer, so a relaunch forgets it; the inspect_get_* calls answer from that result, with
// libguestfs' errors for a missing inspection or an unknown root. Listing applications,
// the icon and the hivex calls read the guest through what the caller mounted, as in
// libguestfs.
// Reference: libguestfs daemon/inspect.ml (inspect_os, search_for_root, inspect_get_*),
// lib/inspect-apps.c, lib/inspect-icon.c, daemon/hivex.c; guestfs(3) "INSPECTION".

import { EngineError } from '../errors.js';
import { canMount, isLoaded } from '../fs/registry.js';
import { DosDetector } from '../inspect/dos/detector.js';
import { inspectIcon } from '../inspect/icon.js';
import { type Inspection, type InspectionNote, inspectOs } from '../inspect/pipeline.js';
import type { Application2, OsDetector, OsRoot } from '../inspect/types.js';
import { UnixDetector } from '../inspect/unix/detector.js';
import { type Application } from '../inspect/apps/application.js';
import { listApplications, listApplications2 } from '../inspect/apps/registry.js';
import { WindowsDetector } from '../inspect/windows/detector.js';
import { type HivexOpenOptions, HivexSession } from '../inspect/windows/hivex-api.js';
import { readWhole } from './file-actions.js';
import { MountedGuestView } from './guest-view.js';
import {
  type InspectHandle,
  bsdEvidence,
  deviceDirectory,
  fsCandidates,
  windowsDisks,
} from './inspect-devices.js';
import type { FsLayer } from './layer.js';

export interface InspectContext {
  g: InspectHandle;
  layer: FsLayer;
}

interface InspectState {
  inspection?: Inspection;
  notes: InspectionNote[];
  hivex?: HivexSession;
}

/** Per launch: the layer is recreated by launch, so a relaunched handle starts empty. */
const states = new WeakMap<FsLayer, InspectState>();

function state(ctx: InspectContext): InspectState {
  let s = states.get(ctx.layer);
  if (!s) states.set(ctx.layer, (s = { notes: [] }));
  return s;
}

/** search_for_root: the inspected root named `root`, with libguestfs' two errors. */
function searchForRoot(ctx: InspectContext, root: string): OsRoot {
  const insp = state(ctx).inspection;
  if (!insp || insp.fses.length === 0)
    throw new EngineError('EINVAL', 'no inspection data: call guestfs_inspect_os first');
  const r = insp.roots.find((x) => x.root === root);
  if (!r)
    throw new EngineError(
      'EINVAL',
      `${root}: root device not found: only call this function with a root device previously returned by guestfs_inspect_os`,
      { path: root },
    );
  return r;
}

const getter =
  <K extends keyof OsRoot>(key: K) =>
  (ctx: InspectContext, root: string): OsRoot[K] =>
    searchForRoot(ctx, root)[key];

/** The Windows-only getters fail on other guests, with libguestfs' messages. */
const windowsGetter =
  (key: keyof OsRoot & `windows_${string}`, what: string) =>
  (ctx: InspectContext, root: string): string => {
    const v = searchForRoot(ctx, root)[key];
    if (v === undefined) throw new EngineError('EINVAL', `not a Windows guest, or ${what}`);
    return v;
  };

function runInspection(ctx: InspectContext): Inspection {
  ctx.layer.mounts.clear();
  const inv = ctx.g.inventory();
  const candidates = fsCandidates(ctx.g, inv);
  const unloaded = [...new Set(candidates.map((c) => c.type))].filter(
    (t) => canMount(t) && !isLoaded(t),
  );
  if (unloaded.length > 0)
    throw new EngineError(
      'EINVAL',
      `inspect_os: the ${unloaded.join(', ')} driver is not loaded: call prepareFilesystems() (or prepareInspection()) after launch`,
      { feature: `${unloaded[0]} driver` },
    );
  const detectors: OsDetector[] = [
    new UnixDetector(deviceDirectory(inv, ctx.g.list_devices())),
    new WindowsDetector(windowsDisks(inv)),
    new DosDetector(),
  ];
  return inspectOs(candidates, detectors);
}

export const INSPECT_ACTIONS = {
  inspect_os(ctx: InspectContext): string[] {
    const s = state(ctx);
    const inspection = runInspection(ctx);
    s.inspection = inspection;
    s.notes = [...bsdEvidence(ctx.g.inventory()), ...inspection.notes];
    return inspection.roots.map((r) => r.root);
  },
  inspect_get_roots(ctx: InspectContext): string[] {
    return state(ctx).inspection?.roots.map((r) => r.root) ?? [];
  },
  inspect_get_type: getter('type'),
  inspect_get_distro: getter('distro'),
  inspect_get_product_name: getter('product_name'),
  inspect_get_product_variant: getter('product_variant'),
  inspect_get_major_version: getter('major_version'),
  inspect_get_minor_version: getter('minor_version'),
  inspect_get_arch: getter('arch'),
  inspect_get_hostname: getter('hostname'),
  inspect_get_build_id: getter('build_id'),
  inspect_get_package_format: getter('package_format'),
  inspect_get_package_management: getter('package_management'),
  inspect_get_osinfo: getter('osinfo'),
  inspect_get_format: getter('format'),
  inspect_is_live: getter('is_live'),
  inspect_is_netinst: getter('is_netinst'),
  inspect_is_multipart: getter('is_multipart'),
  inspect_get_filesystems(ctx: InspectContext, root: string): string[] {
    return [...searchForRoot(ctx, root).filesystems];
  },
  /** RHashtable mountpoint → filesystem, in fstab order (a later duplicate wins). */
  inspect_get_mountpoints(ctx: InspectContext, root: string): Record<string, string> {
    return Object.fromEntries(searchForRoot(ctx, root).mountpoints);
  },
  inspect_get_drive_mappings(ctx: InspectContext, root: string): Record<string, string> {
    return Object.fromEntries(searchForRoot(ctx, root).drive_mappings ?? []);
  },
  inspect_get_windows_systemroot: windowsGetter(
    'windows_systemroot',
    'systemroot could not be determined',
  ),
  inspect_get_windows_software_hive: windowsGetter(
    'windows_software_hive',
    'software hive not found',
  ),
  inspect_get_windows_system_hive: windowsGetter('windows_system_hive', 'system hive not found'),
  inspect_get_windows_current_control_set: windowsGetter(
    'windows_current_control_set',
    'CurrentControlSet could not be determined',
  ),
  inspect_list_applications2(ctx: InspectContext, root: string): Application2[] {
    const r = searchForRoot(ctx, root);
    return listApplications2(new MountedGuestView(ctx.layer), r);
  },
  inspect_list_applications(ctx: InspectContext, root: string): Application[] {
    const r = searchForRoot(ctx, root);
    return listApplications(new MountedGuestView(ctx.layer), r);
  },
  inspect_get_icon(
    ctx: InspectContext,
    root: string,
    opts: { favicon?: boolean; highquality?: boolean } = {},
  ): Uint8Array {
    const r = searchForRoot(ctx, root);
    return inspectIcon(new MountedGuestView(ctx.layer), r, opts);
  },
};

/** guestkit extensions (not in libguestfs' API): the whole answer at once, and the notes. */
export const INSPECT_EXTENSIONS = {
  /** Every inspect_get_* value of `root` in one object (a copy). */
  inspect_root(ctx: InspectContext, root: string): OsRoot {
    return structuredClone(searchForRoot(ctx, root));
  },
  /** What the last inspect_os could not read (no driver, damaged, encrypted, BSD). */
  inspect_notes(ctx: InspectContext): InspectionNote[] {
    return [...state(ctx).notes];
  },
};

function hivex(ctx: InspectContext): HivexSession {
  const s = state(ctx);
  // hivex_open reads the hive like `download`: a file of the mounted guest.
  s.hivex ??= new HivexSession((path) =>
    readWhole(ctx.layer, ctx.layer.paths.resolve(path, true, 'hivex_open'), 'hivex_open', path),
  );
  return s.hivex;
}

export const HIVEX_ACTIONS = {
  hivex_open: (ctx: InspectContext, filename: string, opts: HivexOpenOptions = {}) =>
    hivex(ctx).hivex_open(filename, opts),
  hivex_close: (ctx: InspectContext) => hivex(ctx).hivex_close(),
  hivex_root: (ctx: InspectContext) => hivex(ctx).hivex_root(),
  hivex_node_name: (ctx: InspectContext, nodeh: number) => hivex(ctx).hivex_node_name(nodeh),
  hivex_node_children: (ctx: InspectContext, nodeh: number) =>
    hivex(ctx).hivex_node_children(nodeh),
  hivex_node_get_child: (ctx: InspectContext, nodeh: number, name: string) =>
    hivex(ctx).hivex_node_get_child(nodeh, name),
  hivex_node_parent: (ctx: InspectContext, nodeh: number) => hivex(ctx).hivex_node_parent(nodeh),
  hivex_node_values: (ctx: InspectContext, nodeh: number) => hivex(ctx).hivex_node_values(nodeh),
  hivex_node_get_value: (ctx: InspectContext, nodeh: number, key: string) =>
    hivex(ctx).hivex_node_get_value(nodeh, key),
  hivex_value_key: (ctx: InspectContext, valueh: number) => hivex(ctx).hivex_value_key(valueh),
  hivex_value_type: (ctx: InspectContext, valueh: number) => hivex(ctx).hivex_value_type(valueh),
  hivex_value_string: (ctx: InspectContext, valueh: number) =>
    hivex(ctx).hivex_value_string(valueh),
  hivex_value_utf8: (ctx: InspectContext, valueh: number) => hivex(ctx).hivex_value_utf8(valueh),
  hivex_value_value: (ctx: InspectContext, valueh: number) => hivex(ctx).hivex_value_value(valueh),
};
