// Command-line parsing shared by every command, in the virt-* tools' style:
// `-a IMG` (repeatable), `--format FMT` (applies to the -a options after it),
// `-m DEV[:MOUNTPOINT[:OPTIONS[:FSTYPE]]]`, `-i`, `--key SELECTOR:key:PASSPHRASE`, `-v`,
// `-x`. Short flags may be bundled (`-lR`); `--name=value` works for every long option,
// and options with an optional value (`--checksum[=TYPE]`) take one only that way.

export interface DriveArg {
  filename: string;
  format?: string;
}

export interface MountArg {
  device: string;
  mountpoint: string;
  options?: string;
  fstype?: string;
}

export interface CommonArgs {
  drives: DriveArg[];
  mounts: MountArg[];
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
  '-o',
]);

/** Short options that take a value: a bundle containing one is not split. */
const SHORT_VALUED = new Set(['a', 'm', 'o']);

/** "-lR" → ["-l", "-R"]; anything else unchanged. */
function splitBundles(argv: string[]): string[] {
  const out: string[] = [];
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') return [...out, ...argv.slice(i)];
    const letters = /^-([a-zA-Z]{2,})$/.exec(arg)?.[1];
    if (letters && ![...letters].some((c) => SHORT_VALUED.has(c)))
      out.push(...[...letters].map((c) => `-${c}`));
    else out.push(arg);
  }
  return out;
}

export function parseMount(value: string): MountArg {
  const [device = '', mountpoint = '/', options, fstype] = value.split(':');
  if (!device) throw new UsageError(`-m ${value}: name a device`);
  return { device, mountpoint: mountpoint || '/', options, fstype };
}

export function parseArgs(rawArgv: string[], valued: readonly string[] = []): CommonArgs {
  const argv = splitBundles(rawArgv);
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
      case '--mount':
        out.mounts.push(parseMount(value!));
        break;
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
