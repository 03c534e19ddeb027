// LUKS benchmarks for `npm run bench` (bench/main.ts calls benchLuks() and prints the rows):
// decryption throughput of the LUKS data path, key-derivation time at cryptsetup's own
// defaults, each beside what this machine's native tools report in the same run
// (`openssl speed -evp aes-256-xts`, `cryptsetup benchmark`). Asserts nothing.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { argon2id as hashWasmArgon2id } from 'hash-wasm';
import { argon2 } from '../src/engine/crypto/argon2.js';
import { getHash } from '../src/engine/crypto/hash.js';
import { pbkdf2 } from '../src/engine/crypto/pbkdf2.js';
import { MemorySource } from '../src/engine/io/block-source.js';
import { parseCipherSpec } from '../src/engine/volumes/luks/cipher-spec.js';
import { LuksContainer, prepareLuks } from '../src/engine/volumes/luks/luks.js';
import { createSectorCipher } from '../src/engine/volumes/luks/sector-cipher.js';

/** [what, value, baseline, ratio] — the columns of bench/main.ts. */
export type BenchRow = [string, string, string, string];

const MiB = 1024 * 1024;
const PASS = 'bench passphrase';

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
}

const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const fmt = (v: number, unit: string) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toPrecision(2)}×` : '');

/** Best of n runs, ms. */
function best(n: number, fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

/** OpenSSL's AES-256-XTS on 16 KiB blocks, MiB/s (its output is in 1000s of bytes/s). */
function opensslXts(): number | undefined {
  const out = run('openssl', ['speed', '-evp', 'aes-256-xts', '-seconds', '2', '-bytes', '16384']);
  const m = /AES-256-XTS\s+([\d.]+)k/i.exec(out);
  return m ? (Number(m[1]) * 1000) / MiB : undefined;
}

/** `cryptsetup benchmark -c aes-xts-plain64 -s 512` decryption MiB/s, or why not. */
function cryptsetupXts(): number | string {
  const out = run('cryptsetup', ['benchmark', '-c', 'aes-xts-plain64', '-s', '512']);
  const m = /aes-xts\s+512b\s+[\d.]+ MiB\/s\s+([\d.]+) MiB\/s/.exec(out);
  if (m) return Number(m[1]);
  return (
    out
      .split('\n')
      .find((l) => /not available|interface/.test(l))
      ?.trim() ?? 'no result'
  );
}

/** A LUKS2 aes-xts-plain64 (512-bit) image with a `payloadMiB` payload, made by cryptsetup. */
function makeXtsImage(dir: string, payloadMiB: number): Uint8Array {
  const img = path.join(dir, 'xts.img');
  const key = path.join(dir, 'pass');
  fs.writeFileSync(key, PASS);
  fs.writeFileSync(img, new Uint8Array((payloadMiB + 2) * MiB));
  run('cryptsetup', [
    'reencrypt',
    '-q',
    '--encrypt',
    '--type',
    'luks2',
    '--reduce-device-size',
    '2M',
    '--cipher',
    'aes-xts-plain64',
    '--key-size',
    '512',
    '--pbkdf',
    'pbkdf2',
    '--pbkdf-force-iterations',
    '1000',
    '--key-file',
    key,
    img,
  ]);
  return new Uint8Array(fs.readFileSync(img)).subarray(0, (payloadMiB + 1) * MiB);
}

function xtsReadRows(dir: string): BenchRow[] {
  const payload = 64;
  const v = LuksContainer.open(new MemorySource(makeXtsImage(dir, payload))).unlock(PASS);
  const CHUNK = 4 * MiB;
  const ms = best(3, () => {
    for (let off = 0; off < v.size; off += CHUNK) v.readAt(off, Math.min(CHUNK, v.size - off));
  });
  const ours = mibps(v.size, ms);
  const ssl = opensslXts();
  const cs = cryptsetupXts();
  return [
    [
      `LUKS2 aes-xts-plain64 512-bit read, ${payload} MiB`,
      fmt(ours, 'MiB/s'),
      ssl ? `openssl speed ${fmt(ssl, 'MiB/s')}` : 'openssl n/a',
      ssl ? ratio(ours, ssl) : '',
    ],
    [
      'cryptsetup benchmark -c aes-xts-plain64 -s 512',
      typeof cs === 'number' ? fmt(cs, 'MiB/s') : `n/a: ${cs}`,
      '',
      typeof cs === 'number' ? ratio(ours, cs) : '',
    ],
  ];
}

/** The sector ciphers alone on 16 MiB (the compatibility ciphers have no native peer here). */
function cipherRows(): BenchRow[] {
  const data = new Uint8Array(16 * MiB);
  const rows: BenchRow[] = [];
  let aes = 0;
  for (const [spec, bytes] of [
    ['aes-xts-plain64', 64],
    ['aes-cbc-essiv:sha256', 32],
    ['aes-lrw-plain64', 48],
    ['twofish-xts-plain64', 64],
    ['serpent-xts-plain64', 64],
  ] as const) {
    const c = createSectorCipher(parseCipherSpec(spec), new Uint8Array(bytes).fill(7), 512);
    const ms = best(2, () => c.decrypt(data, 0));
    const speed = mibps(data.length, ms);
    if (spec === 'aes-xts-plain64') aes = speed;
    rows.push([
      `sector cipher ${spec} decrypt, 16 MiB`,
      fmt(speed, 'MiB/s'),
      `aes-xts-plain64 ${fmt(aes, 'MiB/s')}`,
      ratio(speed, aes),
    ]);
  }
  return rows;
}

/** cryptsetup's compiled-in Argon2id defaults, as `cryptsetup benchmark` calibrates them here. */
function cryptsetupArgon2(): { time: number; memoryKiB: number; lanes: number; targetMs: number } {
  const out = run('cryptsetup', ['benchmark', '--pbkdf', 'argon2id']);
  const m =
    /argon2id\s+(\d+) iterations, (\d+) memory, (\d+) parallel threads.*requested (\d+) ms/.exec(
      out,
    );
  if (m) return { time: +m[1]!, memoryKiB: +m[2]!, lanes: +m[3]!, targetMs: +m[4]! };
  // `cryptsetup --help`: "Iteration time: 2000, Memory required: 1048576kB, Parallel threads: 4"
  return { time: 4, memoryKiB: 1048576, lanes: 4, targetMs: 2000 };
}

async function argon2Rows(dir: string): Promise<BenchRow[]> {
  const p = cryptsetupArgon2();
  const img = path.join(dir, 'argon.img');
  const key = path.join(dir, 'pass');
  fs.writeFileSync(key, PASS);
  fs.writeFileSync(img, new Uint8Array(16 * MiB));
  run('cryptsetup', [
    'luksFormat',
    '-q',
    '--type',
    'luks2',
    '--pbkdf',
    'argon2id',
    '--pbkdf-memory',
    String(p.memoryKiB),
    '--pbkdf-parallel',
    String(p.lanes),
    '--pbkdf-force-iterations',
    String(p.time),
    '--key-file',
    key,
    img,
  ]);
  const c = LuksContainer.open(new MemorySource(new Uint8Array(fs.readFileSync(img))));
  let t = performance.now();
  c.unlock(PASS);
  const unlock = performance.now() - t;
  const params = {
    type: 'argon2id' as const,
    time: p.time,
    memoryKiB: p.memoryKiB,
    parallelism: p.lanes,
    outLen: 64,
  };
  const salt = new Uint8Array(32);
  t = performance.now();
  await hashWasmArgon2id({
    password: PASS,
    salt,
    iterations: p.time,
    memorySize: p.memoryKiB,
    parallelism: p.lanes,
    hashLength: 64,
    outputType: 'binary',
  });
  const hw = performance.now() - t;
  t = performance.now();
  argon2(params, new TextEncoder().encode(PASS), salt);
  const kdf = performance.now() - t;
  const what = `t=${p.time} m=${p.memoryKiB} KiB p=${p.lanes}`;
  return [
    [
      `LUKS2 unlock, argon2id at cryptsetup's calibration (${what})`,
      fmt(unlock, 'ms'),
      `cryptsetup target ${p.targetMs} ms`,
      ratio(unlock, p.targetMs),
    ],
    [
      `argon2id KDF alone, guestkit (sync, WASM core)`,
      fmt(kdf, 'ms'),
      `hash-wasm (async) ${fmt(hw, 'ms')}`,
      ratio(kdf, hw),
    ],
  ];
}

async function pbkdf2Rows(): Promise<BenchRow[]> {
  const iterations = 500_000;
  const ms = best(2, () =>
    pbkdf2(getHash('sha256'), new Uint8Array(16), new Uint8Array(32), iterations, 32),
  );
  const ours = iterations / (ms / 1000);
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', new Uint8Array(16), 'PBKDF2', false, ['deriveBits']);
  const t = performance.now();
  await subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(32), iterations: 4 * iterations },
    key,
    256,
  );
  const web = (4 * iterations) / ((performance.now() - t) / 1000);
  const m = /PBKDF2-sha256\s+(\d+) iterations per second/.exec(
    run('cryptsetup', ['benchmark', '--pbkdf', 'pbkdf2', '--hash', 'sha256']),
  );
  const native = m ? Number(m[1]) : 0;
  const base = native ? `cryptsetup ${fmt(native / 1e6, 'M/s')}` : 'cryptsetup n/a';
  return [
    [
      'PBKDF2-sha256 iterations/s, unlock() (JavaScript)',
      fmt(ours / 1e6, 'M/s'),
      base,
      ratio(ours, native),
    ],
    [
      'PBKDF2-sha256 iterations/s, unlockAsync() (WebCrypto)',
      fmt(web / 1e6, 'M/s'),
      base,
      ratio(web, native),
    ],
  ];
}

/** Runs the LUKS benchmarks (~30 s, ~1 GiB of memory for Argon2) and returns table rows. */
export async function benchLuks(): Promise<BenchRow[]> {
  await prepareLuks();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-bench-luks-'));
  try {
    const rows = [
      ...xtsReadRows(dir),
      ...cipherRows(),
      ...(await argon2Rows(dir)),
      ...(await pbkdf2Rows()),
    ];
    for (const r of rows) console.error(`  ${r[0]}: ${r[1]} (${r[2]}) ${r[3]}`);
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
