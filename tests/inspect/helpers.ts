// Shared by the inspection tests: a launched handle on a fixture disk, the CLI's inspect
// command run in-process, libguestfs' mapping of file(1)'s text to an architecture (applied
// to the fixture's `file -b` output, the independent truth), and xmllint's RELAX NG check
// with virt-inspector's own schema.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from '../../src/cli/args.js';
import { runInspect } from '../../src/cli/commands/inspect.js';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';

/** A launched handle on `disks` with the drivers and listers loaded. */
export async function openGuest(...disks: string[]): Promise<Guestfs> {
  const g = new Guestfs(new NodeEnvironment());
  for (const d of disks) g.add_drive_opts(d, { readonly: true });
  g.launch();
  await g.prepareInspection();
  return g;
}

/** `guestkit inspect ARGS` in-process: stdout, stderr lines and exit status. */
export async function cliInspect(
  argv: string[],
): Promise<{ stdout: string; stderr: string[]; code: number }> {
  const args = parseArgs(argv);
  const g = new Guestfs(new NodeEnvironment());
  for (const d of args.drives) g.add_drive_opts(d.filename, { format: d.format, readonly: true });
  let stdout = '';
  const stderr: string[] = [];
  try {
    const code = await runInspect(
      g,
      args,
      (s) => (stdout += s),
      (l) => stderr.push(l),
    );
    return { stdout, stderr, code };
  } finally {
    g.close();
  }
}

/** libguestfs' canonical_elf_arch on file(1)'s description of an ELF binary. */
export function archOfFileOutput(text: string): string | undefined {
  const m = /ELF (\d+)-bit (MSB|LSB).*(?:executable|shared object|relocatable),? ([^,]+?),/.exec(
    text,
  );
  if (!m) return undefined;
  const [, bits, endian, arch] = m as unknown as [string, string, string, string];
  if (arch.includes('Intel 80386') || arch.includes('Intel 80486')) return 'i386';
  if (arch.includes('x86-64')) return 'x86_64';
  if (/64.*PowerPC/.test(arch)) return endian === 'MSB' ? 'ppc64' : 'ppc64le';
  if (arch.includes('ARM aarch64')) return 'aarch64';
  if (arch.includes('ARM')) return 'arm';
  if (arch.includes('UCB RISC-V')) return `riscv${bits}`;
  return arch;
}

const RNG_GZ = '/usr/share/doc/guestfs-tools/virt-inspector.rng.gz';

/** Whether xmllint and virt-inspector's schema are installed. */
export const canValidate =
  fs.existsSync(RNG_GZ) && spawnSync('xmllint', ['--version']).status === 0;

/** xmllint --relaxng virt-inspector.rng: undefined when valid, else its complaint. */
export function relaxngErrors(xml: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-rng-'));
  try {
    const rng = path.join(dir, 'virt-inspector.rng');
    const doc = path.join(dir, 'doc.xml');
    fs.writeFileSync(rng, gunzipSync(fs.readFileSync(RNG_GZ)));
    fs.writeFileSync(doc, xml);
    const r = spawnSync('xmllint', ['--noout', '--relaxng', rng, doc], { encoding: 'utf8' });
    return r.status === 0 ? undefined : r.stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** sfdisk --json's partitions of a fixture disk. */
export function sfdiskPartitions(file: string): { uuid?: string; name?: string; start: number }[] {
  return (
    JSON.parse(fs.readFileSync(file, 'utf8')) as {
      partitiontable: { partitions: { uuid?: string; name?: string; start: number }[] };
    }
  ).partitiontable.partitions;
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** The raw bytes of a qcow2 (qemu-img convert), in a temporary file the caller removes. */
export function rawCopy(qcow2: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-raw-'));
  const out = path.join(dir, 'disk.raw');
  execFileSync('qemu-img', ['convert', '-O', 'raw', qcow2, out]);
  return out;
}
