// The filesystem driver registry: blkid TYPE → FsDriver. Drivers compiled to WebAssembly
// load lazily (`loadDriverFor`, async, once per process); after that `mountDevice` is
// synchronous, like the rest of the engine. A type without a driver is a valid feature we
// do not implement, so it is `unsupported`, never "unknown filesystem".
// Reference: DESIGN.md "Probe then open", "Filesystem drivers"; STYLE.md #8.

import { EngineError, unsupported } from '../errors.js';
import type { BlockSource } from '../io/block-source.js';
import { ext4Driver } from './ext4/driver.js';
import { ntfsDriver } from './ntfs/driver.js';
import type { FileSystem, FsDriver } from './types.js';

/** Every driver, in lookup order. */
const DRIVERS: readonly FsDriver[] = [ext4Driver, ntfsDriver];

const loaded = new Set<FsDriver>();

/** The driver that mounts blkid TYPE `type`, if any (no loading happens here). */
export function driverFor(type: string): FsDriver | undefined {
  return DRIVERS.find((d) => d.types.includes(type));
}

/** Whether a driver exists for `type` (loaded or not). */
export function canMount(type: string): boolean {
  return driverFor(type) !== undefined;
}

/** Whether `type` can be mounted synchronously right now. */
export function isLoaded(type: string): boolean {
  const d = driverFor(type);
  return d !== undefined && loaded.has(d);
}

/** Every blkid TYPE some driver mounts. */
export function mountableTypes(): string[] {
  return DRIVERS.flatMap((d) => [...d.types]);
}

function requireDriver(type: string): FsDriver {
  const d = driverFor(type);
  if (!d) {
    throw unsupported(
      `mounting ${type || 'unrecognised'} filesystems`,
      `guestkit has no driver for ${type ? `"${type}"` : 'this content'} yet`,
    );
  }
  return d;
}

/** Loads (fetches and compiles) the driver for `type`; a no-op once loaded. */
export async function loadDriverFor(type: string): Promise<void> {
  const d = requireDriver(type);
  if (loaded.has(d)) return;
  await d.load();
  loaded.add(d);
}

/**
 * Mounts `source` holding a filesystem of blkid TYPE `type`. Throws `unsupported` when no
 * driver exists and EINVAL when the driver exists but was not loaded yet (call
 * `loadDriverFor`, or the handle's `prepareFilesystems`, first).
 */
export function mountDevice(source: BlockSource, type: string): FileSystem {
  const d = requireDriver(type);
  if (!loaded.has(d)) {
    throw new EngineError(
      'EINVAL',
      `the ${type} driver is not loaded: call prepareFilesystems() (or loadDriverFor("${type}")) after launch`,
      { feature: `${type} driver` },
    );
  }
  return d.mount(source, { readonly: true });
}
