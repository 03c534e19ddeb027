// The NTFS FsDriver: loads ntfs.wasm once (async), then mounts synchronously.
// Read-only: the crate never writes (writes go to the overlay below the filesystem).

import { EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import type { FsDriver } from '../types.js';
import { loadWasmModule } from '../wasm/loader.js';
import { WasmFs } from '../wasm/wasm-fs.js';
import { NtfsFileSystem } from './filesystem.js';

let compiled: WebAssembly.Module | undefined;

export const ntfsDriver = {
  types: ['ntfs'],

  async load(): Promise<void> {
    compiled ??= await loadWasmModule('ntfs');
  },

  // The crate is read-only: a read-write mount gets a FileSystem without write methods.
  mount(device: BlockSource, _opts: { readonly: boolean }): NtfsFileSystem {
    if (!compiled) {
      throw new EngineError('EINVAL', 'ntfs driver used before load()');
    }
    return new NtfsFileSystem(new WasmFs(compiled, device, 'ntfs'));
  },
} satisfies FsDriver;
