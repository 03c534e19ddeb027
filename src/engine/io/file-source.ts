// A browser File/Blob as a BlockSource. Only usable in a worker: FileReaderSync is the one
// synchronous way to read a Blob, and it costs ~0.5 ms per call (see page-cache.ts).

import { EngineError } from '../errors.js';
import { type BlockSource, checkRange } from './block-source.js';
import { type IoStats, newStats } from './stats.js';

interface FileReaderSyncLike {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
declare const FileReaderSync: { new (): FileReaderSyncLike } | undefined;

export class BlobSource implements BlockSource {
  readonly size: number;
  readonly stats: IoStats = newStats();
  private readonly reader: FileReaderSyncLike;

  constructor(
    private readonly blob: Blob,
    readonly name: string = (blob as File).name ?? 'blob',
  ) {
    if (typeof FileReaderSync === 'undefined') {
      throw new EngineError(
        'unsupported',
        'reading a File synchronously needs a Web Worker (FileReaderSync)',
        {
          feature: 'FileReaderSync outside a worker',
        },
      );
    }
    this.reader = new FileReaderSync();
    this.size = blob.size;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    let buf: ArrayBuffer;
    try {
      buf = this.reader.readAsArrayBuffer(this.blob.slice(offset, offset + length));
    } catch (e) {
      // Chromium fails every read of a File that changed on disk after it was chosen.
      const what =
        (e as Error).name === 'NotReadableError'
          ? 'the file changed on disk; select it again'
          : String(e);
      throw new EngineError('io', `${this.name}: ${what}`, { path: this.name, offset });
    }
    if (buf.byteLength !== length) {
      throw new EngineError(
        'io',
        `${this.name}: short read at ${offset} (${buf.byteLength} of ${length})`,
        {
          path: this.name,
          offset,
        },
      );
    }
    this.stats.calls++;
    this.stats.bytes += length;
    return new Uint8Array(buf);
  }
}
