// The Argon2 compression function G as a small WebAssembly module, emitted here as bytes.
//
// Why: LUKS2's default KDF is Argon2id over 1 GiB, and unlocking must be synchronous (the
// engine is; DESIGN.md). @noble/hashes' Argon2 is synchronous but ~4.5x slower than WASM,
// and hash-wasm's fast Argon2 exists only behind a Promise. G is the only hot loop (one
// call per 1 KiB block, 4 Mi calls for 1 GiB x 4 passes), so it alone is compiled to
// WASM; the indexing logic stays in TypeScript (argon2.ts). The module has no imports but
// its memory and compiles synchronously (it is ~1 KiB, under every engine's limit).
//
// Exported function: fill(dst, prev, ref, xor): the block at `dst` becomes
// G(block[prev], block[ref]), XORed into the old block at `dst` when `xor` is non-zero.
// Scratch: bytes 0..1023 hold R = X ^ Y, bytes 1024..2047 hold Q = P(R) as it is built.
// Reference: RFC 9106 section 3.5 (compression function G, permutation P) and 3.6
// (BlaMka: GB uses a + b + 2 * lo32(a) * lo32(b)).

/** Byte offset of R in the module's memory; Q follows at R + 1024. */
export const SCRATCH_BYTES = 2048;

const I32 = 0x7f;
const I64 = 0x7e;
const OP = {
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32const: 0x41,
  i64const: 0x42,
  i32add: 0x6a,
  i32ltu: 0x49,
  i64add: 0x7c,
  i64mul: 0x7e,
  i64xor: 0x85,
  i64shl: 0x86,
  i64rotr: 0x8a,
  wrap: 0xa7,
  extendU: 0xad,
  load: 0x29,
  store: 0x37,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  select: 0x1b,
  void: 0x40,
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

// Locals: 0 dst, 1 prev, 2 ref, 3 xor (params, i32); 4 i (i32); 5..20 v0..v15; 21 t (i64).
const DST = 0;
const PREV = 1;
const REF = 2;
const XOR = 3;
const I = 4;
const V = 5;
const T = 21;

class Code {
  readonly b: number[] = [];
  op(...bytes: number[]): this {
    this.b.push(...bytes);
    return this;
  }
  get(l: number): this {
    return this.op(OP.get, ...uleb(l));
  }
  set(l: number): this {
    return this.op(OP.set, ...uleb(l));
  }
  i32(n: number): this {
    return this.op(OP.i32const, ...sleb(n));
  }
  i64(n: number): this {
    return this.op(OP.i64const, ...sleb(n));
  }
  load(offset: number): this {
    return this.op(OP.load, 3, ...uleb(offset));
  }
  store(offset: number): this {
    return this.op(OP.store, 3, ...uleb(offset));
  }
  /** a = a + b + 2 * lo32(a) * lo32(b) (the BlaMka multiply-add). */
  blamka(a: number, b: number): this {
    this.get(a).get(b).op(OP.i64add);
    this.get(a).op(OP.wrap, OP.extendU).get(b).op(OP.wrap, OP.extendU).op(OP.i64mul);
    return this.i64(1).op(OP.i64shl, OP.i64add).set(a);
  }
  /** x = rotr(x ^ y, n). */
  xorRot(x: number, y: number, n: number): this {
    return this.get(x).get(y).op(OP.i64xor).i64(n).op(OP.i64rotr).set(x);
  }
  gb(a: number, b: number, c: number, d: number): this {
    this.blamka(a, b).xorRot(d, a, 32).blamka(c, d).xorRot(b, c, 24);
    return this.blamka(a, b).xorRot(d, a, 16).blamka(c, d).xorRot(b, c, 63);
  }
  /** The permutation P on locals v0..v15 (RFC 9106, 3.6). */
  permute(): this {
    const v = (k: number) => V + k;
    for (const [a, b, c, d] of [
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
      [0, 5, 10, 15],
      [1, 6, 11, 12],
      [2, 7, 8, 13],
      [3, 4, 9, 14],
    ] as const) {
      this.gb(v(a), v(b), v(c), v(d));
    }
    return this;
  }
  /** for (i = 0; i < limit; i += step) body — the body runs at least once. */
  loop(step: number, limit: number, body: () => void): this {
    this.i32(0).set(I).op(OP.loop, OP.void);
    body();
    this.get(I).i32(step).op(OP.i32add, OP.tee, I).i32(limit).op(OP.i32ltu, OP.brIf, 0, OP.end);
    return this;
  }
}

function fillBody(): number[] {
  const c = new Code();
  // R = X ^ Y, copied to Q.
  c.loop(8, 1024, () => {
    c.get(I).get(PREV).get(I).op(OP.i32add).load(0).get(REF).get(I).op(OP.i32add).load(0);
    c.op(OP.i64xor, OP.tee, T).store(0);
    c.get(I).get(T).store(1024);
  });
  // P on each row (16 consecutive words), then on each column (word pairs 128 bytes apart).
  const rowWord = (k: number) => 1024 + 8 * k;
  const colWord = (k: number) => 1024 + (k >> 1) * 128 + (k & 1) * 8;
  for (const [step, limit, word] of [
    [128, 1024, rowWord],
    [16, 128, colWord],
  ] as const) {
    c.loop(step, limit, () => {
      for (let k = 0; k < 16; k++)
        c.get(I)
          .load(word(k))
          .set(V + k);
      c.permute();
      for (let k = 0; k < 16; k++)
        c.get(I)
          .get(V + k)
          .store(word(k));
    });
  }
  // dst = Q ^ R (^ old dst when xor != 0).
  c.loop(8, 1024, () => {
    c.get(DST).get(I).op(OP.i32add);
    c.get(I).load(1024).get(I).load(0).op(OP.i64xor);
    c.get(DST).get(I).op(OP.i32add).load(0).i64(0).get(XOR).op(OP.select, OP.i64xor);
    c.store(0);
  });
  const locals = [2, 1, I32, 17, I64];
  const body = [...locals, ...c.b, OP.end];
  return [...uleb(body.length), ...body];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('fill'), 0x00, 0]),
    ...section(10, [1, ...fillBody()]),
  ];
  return new Uint8Array(bytes);
}

let compiled: WebAssembly.Module | undefined;

export interface Argon2Core {
  memory: WebAssembly.Memory;
  fill(dst: number, prev: number, ref: number, xor: number): void;
}

/** True where WebAssembly exists (every browser and Node we support; not some locked-down
 * embedders, where argon2.ts falls back to @noble/hashes). */
export function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function';
}

/** Compiles the module asynchronously ahead of the first unlock (browsers discourage
 * synchronous compilation on the main thread; in a worker either way works). */
export async function precompileArgon2(): Promise<void> {
  if (wasmAvailable()) compiled ??= await WebAssembly.compile(moduleBytes());
}

/** A fresh instance over a new memory of `pages` 64 KiB pages. */
export function createArgon2Core(pages: number): Argon2Core {
  compiled ??= new WebAssembly.Module(moduleBytes());
  const memory = new WebAssembly.Memory({ initial: pages });
  const instance = new WebAssembly.Instance(compiled, { e: { m: memory } });
  const fill = instance.exports.fill as Argon2Core['fill'];
  return { memory, fill };
}
