// The ext2/ext3/ext4 FsDriver: loads ext4.wasm once (async), then mounts synchronously.
// Read-only: the crate never writes (writes go to the overlay below the filesystem).

import { EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import type { FileSystem, FsDriver } from '../types.js';
import { loadWasmModule } from '../wasm/loader.js';
import { WasmFs } from '../wasm/wasm-fs.js';
import { Ext4FileSystem } from './filesystem.js';

let compiled: WebAssembly.Module | undefined;

export const ext4Driver = {
  types: ['ext2', 'ext3', 'ext4'],

  async load(): Promise<void> {
    compiled ??= await loadWasmModule('ext4');
  },

  // The crate is read-only: a read-write mount gets a FileSystem without write methods.
  mount(device: BlockSource, _opts: { readonly: boolean }): Ext4FileSystem {
    if (!compiled) {
      throw new EngineError('EINVAL', 'ext4 driver used before load()');
    }
    return new Ext4FileSystem(new WasmFs(compiled, device, 'ext4'));
  },
} satisfies FsDriver;

export type { FileSystem };
