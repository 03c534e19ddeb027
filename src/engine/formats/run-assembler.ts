// Assembles one read of a virtual disk from runs: bytes of the data file, bytes of the
// backing image, bytes already in memory (a decompressed cluster) and zeros. Runs that
// continue the previous run, both in the output and in their source, grow it, so a request
// over contiguous host clusters costs one read of the file. Zero runs cost nothing: the
// output starts zeroed. When one run covers the whole request its buffer is returned as is.
// Used by every sparse format (qcow2, qcow) and meant for the others (vmdk grains, vdi and
// vhd blocks) too.
// Reference: DESIGN.md "Layers" (few, large reads: ../shared/BROWSER.md).

import { type BlockSource, readInto } from '../io/block-source.js';

const RUN_NONE = 0;
const RUN_DATA = 1;
const RUN_BACKING = 2;

export class RunAssembler {
  private out: Uint8Array | undefined;
  private runKind = RUN_NONE;
  private runAt = 0;
  private runSrc = 0;
  private runLen = 0;

  /**
   * @param length bytes in the request
   * @param dataSource where host offsets point
   * @param backing the image below, or undefined (unallocated then reads as zeros)
   * @param dst the caller's buffer (readInto): runs are read straight into it, so a bulk
   *   read costs no allocation; it is zeroed first because zero runs write nothing
   */
  constructor(
    private readonly length: number,
    private readonly dataSource: BlockSource,
    private readonly backingSource: BlockSource | undefined,
    private readonly dst?: Uint8Array,
  ) {
    if (dst) {
      dst.fill(0);
      this.out = dst;
    }
  }

  /** `len` bytes at host offset `host` land at output position `at`. */
  data(at: number, host: number, len: number): void {
    this.run(RUN_DATA, at, host, len);
  }

  /** `len` bytes of the backing image at guest offset `guest` land at `at`. */
  backing(at: number, guest: number, len: number): void {
    if (this.backingSource) this.run(RUN_BACKING, at, guest, len);
  }

  /** Bytes already in memory. */
  bytes(at: number, src: Uint8Array): void {
    this.output().set(src, at);
  }

  finish(): Uint8Array {
    this.flush();
    return this.output();
  }

  private run(kind: number, at: number, src: number, len: number): void {
    if (
      kind === this.runKind &&
      at === this.runAt + this.runLen &&
      src === this.runSrc + this.runLen
    ) {
      this.runLen += len;
      return;
    }
    this.flush();
    this.runKind = kind;
    this.runAt = at;
    this.runSrc = src;
    this.runLen = len;
  }

  private output(): Uint8Array {
    this.out ??= new Uint8Array(this.length);
    return this.out;
  }

  private flush(): void {
    if (this.runLen === 0) return;
    const source = this.runKind === RUN_DATA ? this.dataSource : this.backingSource!;
    // Past the end of the source reads as zeros: a backing image smaller than this one, or
    // a last data cluster that the file ends inside (QEMU pads such reads with zeros).
    const n = Math.max(0, Math.min(this.runLen, source.size - this.runSrc));
    if (n > 0) {
      if (this.out === undefined && this.runAt === 0 && n === this.length) {
        this.out = source.readAt(this.runSrc, n);
      } else {
        readInto(source, this.runSrc, this.output().subarray(this.runAt, this.runAt + n));
      }
    }
    this.runLen = 0;
    this.runKind = RUN_NONE;
  }
}
