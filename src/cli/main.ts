// `guestkit` — the command-line face of the engine, in the style of the virt-* tools.
// Exit status: 0 success, 1 an engine error (printed as `guestkit: KIND: message`),
// 2 a usage error.

import { EngineError } from '../engine/errors.js';
import { Guestfs } from '../engine/guestfs/handle.js';
import { type CommonArgs, UsageError, parseArgs, requireDrives } from './args.js';
import { listActions, runCalls, splitCalls } from './commands/call.js';
import { checkTarget, convertToRaw } from './commands/convert.js';
import { catFiles, tarOut } from './commands/files.js';
import { filesystemRows, formatRows } from './commands/filesystems.js';
import { INSPECT_USAGE, runInspect } from './commands/inspect.js';
import { openEncrypted } from './commands/keys.js';
import { runLs } from './commands/ls.js';
import { MOUNT_RULE, launchAndMount } from './commands/mounting.js';
import { NodeEnvironment } from './node-env.js';

const USAGE = `usage: guestkit COMMAND [OPTIONS]

commands:
  ${INSPECT_USAGE}
  filesystems -a IMG… [--long] [--all] [--extra] [--partitions] [--block-devices] [--lvs] [--vgs]
       [--pvs] [--uuid] [--csv|--json] [--no-title] [-h]
  ls -a IMG… [-m DEV[:MP]]… [-l] [-R] [--checksum[=md5|sha1|sha224|sha256|sha384|sha512|crc]]
       [--times|--time-t|--time-relative|--time-days] [--uids] [--extra-stats] [--csv] [-h] DIR…
  cat -a IMG… [-m DEV[:MP]]… FILE…
  tar-out -a IMG… [-m DEV[:MP]]… [--gzip] [--xattrs] DIR OUT.tar   (OUT "-" = stdout)
  convert -a IMG [--format FMT] --to raw OUT
  call -a IMG… NAME ARGS… [: NAME ARGS…]…     (call --list prints the API table)

options: -a IMG (repeatable), --format FMT (for the following -a), -v, -x (trace),
  -m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]] (repeatable; mounted in order, read-only),
  --key ID:key:PASSPHRASE | ID:file:FILE (repeatable; ID = device, LUKS UUID or all):
  LUKS volumes are opened after launch and the LVM volume groups inside activated
${MOUNT_RULE}
`;

function handle(args: CommonArgs, env: NodeEnvironment): Guestfs {
  const g = new Guestfs(env);
  g.set_verbose(args.verbose);
  g.set_trace(args.trace);
  for (const d of args.drives) g.add_drive_opts(d.filename, { format: d.format, readonly: true });
  return g;
}

const out = (s: string | Uint8Array) => process.stdout.write(s);

/** ls: every directory is listed even if one fails (virt-ls); exit 1 if any failed. */
async function ls(args: CommonArgs, env: NodeEnvironment): Promise<number> {
  requireDrives(args, 'ls');
  if (args.positional.length === 0) throw new UsageError('ls: name a directory');
  const g = handle(args, env);
  await launchAndMount(g, args, args.positional);
  let errors = 0;
  const report = (e: EngineError) => {
    process.stderr.write(`guestkit: ${e.kind}: ${e.message}\n`);
    errors++;
  };
  for (const dir of args.positional) {
    try {
      runLs(g, args, dir, out, report);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      report(e);
    }
  }
  return errors === 0 ? 0 : 1;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const env = new NodeEnvironment((line) => process.stderr.write(`${line}\n`));
  switch (command) {
    case 'filesystems': {
      const args = parseArgs(rest);
      requireDrives(args, 'filesystems');
      const g = handle(args, env);
      g.launch();
      await openEncrypted(g, args);
      await g.prepareFilesystems(); // sizes come from statvfs where a filesystem mounts
      out(formatRows(filesystemRows(g, args), args));
      return 0;
    }
    case 'inspect': {
      const args = parseArgs(rest);
      requireDrives(args, 'inspect');
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      return runInspect(handle(args, env), args, out, warn);
    }
    case 'ls':
      return ls(parseArgs(rest), env);
    case 'cat': {
      const args = parseArgs(rest);
      requireDrives(args, 'cat');
      if (args.positional.length === 0) throw new UsageError('cat: name a file');
      const g = handle(args, env);
      await launchAndMount(g, args, args.positional);
      catFiles(g, args.positional);
      return 0;
    }
    case 'tar-out': {
      const args = parseArgs(rest);
      requireDrives(args, 'tar-out');
      const [dir, target] = args.positional;
      if (!dir || !target || args.positional.length !== 2)
        throw new UsageError('tar-out: give a directory and an output file (- for stdout)');
      const g = handle(args, env);
      await launchAndMount(g, args, [dir]);
      tarOut(g, args, dir, target);
      return 0;
    }
    case 'convert': {
      const args = parseArgs(rest);
      requireDrives(args, 'convert');
      checkTarget(args.flags.get('--to'));
      if (args.drives.length !== 1) throw new UsageError('convert: give exactly one -a IMG');
      const target = args.positional[0];
      if (!target) throw new UsageError('convert: name the output file');
      const d = args.drives[0]!;
      const g = handle({ ...args, drives: [] }, env);
      convertToRaw(g.openImageFile(d.filename, d.format), target);
      return 0;
    }
    case 'call': {
      const args = parseArgs(rest);
      if (args.flags.has('--list')) {
        out(listActions());
        return 0;
      }
      const g = handle(args, env);
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      await runCalls(
        g,
        splitCalls(args.positional),
        false,
        (line) => out(`${line}\n`),
        () => openEncrypted(g, args, warn),
      );
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main(): Promise<void> {
  // `guestkit ls … | head`: a reader that goes away ends the output, not with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  let code: number;
  try {
    code = await run(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`guestkit: ${e.message}\n${USAGE}`);
      code = 2;
    } else if (e instanceof EngineError) {
      process.stderr.write(`guestkit: ${e.kind}: ${e.message}\n`);
      code = 1;
    } else {
      throw e;
    }
  }
  process.exitCode = code;
}

await main();
