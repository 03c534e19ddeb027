// The filesystem half of a launched handle: the mount table, the path resolver and what
// the action modules need from the handle (devices, probing, the host environment). The
// action modules (mount-actions.ts, file-actions.ts, tree-actions.ts, export-actions.ts)
// are tables of functions taking the layer first; the handle binds them onto its
// prototype under their libguestfs names, so handle.ts stays small.

import type { ProbeResult } from '../fs/probe/types.js';
import type { Device } from './devices.js';
import type { GuestfsEnvironment } from './environment.js';
import { MountTable } from './mounts.js';
import { PathResolver } from './paths.js';

export interface FsHost {
  /** A device by any accepted spelling; ENOENT when absent. */
  device(name: string, action: string): Device;
  probe(d: Device): ProbeResult | undefined;
  readonly env: GuestfsEnvironment;
}

export class FsLayer {
  readonly mounts = new MountTable();
  readonly paths = new PathResolver(this.mounts);

  constructor(readonly host: FsHost) {}

  get env(): GuestfsEnvironment {
    return this.host.env;
  }

  close(): void {
    this.mounts.clear();
  }
}

/** A table of actions: each takes its context (the layer), then the libguestfs arguments. */
export type ActionTable<C = FsLayer> = Record<string, (ctx: C, ...args: never[]) => unknown>;

/** The same table as the handle exposes it: the context argument bound. */
export type Bound<T, C = FsLayer> = {
  [K in keyof T]: T[K] extends (ctx: C, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * Defines each action of `table` on `proto`, calling it with the context `getContext`
 * returns for that action (which throws when the handle is not launched).
 */
export function bindActions<C>(
  proto: object,
  table: ActionTable<C>,
  getContext: (self: object, action: string) => C,
): void {
  for (const [name, fn] of Object.entries(table)) {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: object, ...args: unknown[]) {
        return (fn as (c: C, ...a: unknown[]) => unknown)(getContext(this, name), ...args);
      },
    });
  }
}
