// Command-line parsing shared by every command, in the virt-* tools' style:
// `-a IMG` (repeatable), `--format FMT` (applies to the -a options after it),
// `-m DEV[:MOUNTPOINT]`, `-i`, `--key SELECTOR:key:PASSPHRASE`, `-v`, `-x`.

export interface DriveArg {
  filename: string;
  format?: string;
}

export interface CommonArgs {
  drives: DriveArg[];
  mounts: { device: string; mountpoint: string }[];
  inspect: boolean;
  keys: string[];
  verbose: boolean;
  trace: boolean;
  /** Flags (--long, --json …) and their values; `true` for bare flags. */
  flags: Map<string, string | true>;
  /** Everything that is not an option, in order. */
  positional: string[];
}

export class UsageError extends Error {}

/** Options that take a value; everything else starting with "-" is a boolean flag. */
const VALUED = new Set([
  '-a',
  '--add',
  '--format',
  '-m',
  '--mount',
  '--key',
  '--to',
  '--overlay',
  '--checksum',
  '-o',
]);

export function parseArgs(argv: string[], valued: readonly string[] = []): CommonArgs {
  const out: CommonArgs = {
    drives: [],
    mounts: [],
    inspect: false,
    keys: [],
    verbose: false,
    trace: false,
    flags: new Map(),
    positional: [],
  };
  const takesValue = new Set([...VALUED, ...valued]);
  let format: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    if (takesValue.has(arg) && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
    }
    switch (arg) {
      case '-a':
      case '--add':
        out.drives.push({ filename: value!, format });
        break;
      case '--format':
        format = value === 'auto' ? undefined : value;
        break;
      case '-m':
      case '--mount': {
        const [device, mountpoint = '/'] = value!.split(':');
        out.mounts.push({ device: device!, mountpoint });
        break;
      }
      case '-i':
      case '--inspector':
        out.inspect = true;
        break;
      case '--key':
        out.keys.push(value!);
        break;
      case '-v':
      case '--verbose':
        out.verbose = true;
        break;
      case '-x':
        out.trace = true;
        break;
      default:
        out.flags.set(arg, value ?? true);
    }
  }
  return out;
}

export function requireDrives(args: CommonArgs, command: string): void {
  if (args.drives.length === 0)
    throw new UsageError(`${command}: give at least one disk image with -a IMG`);
}
