// `guestkit call -a IMG NAME ARGS… [: NAME ARGS…]…` — actions of the API table in order,
// as on guestfish's command line; each result is printed as one JSON line. Optional
// arguments use guestfish's `name:value` spelling. The handle is launched automatically
// before the first action that needs it (guestfish's `run`).

import { type Action, type Arg, ACTIONS, findAction } from '../../engine/guestfs/api-table.js';
import type { Guestfs } from '../../engine/guestfs/handle.js';
import { UsageError } from '../args.js';

export function splitCalls(positional: string[]): string[][] {
  const calls: string[][] = [[]];
  for (const p of positional) {
    if (p === ':') calls.push([]);
    else calls[calls.length - 1]!.push(p);
  }
  return calls.filter((c) => c.length > 0);
}

export function parseValue(arg: Arg, text: string, action: string): unknown {
  switch (arg.type) {
    case 'Int':
    case 'Int64': {
      if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text))
        throw new UsageError(`${action}: ${arg.name} must be an integer, not "${text}"`);
      return Number(text);
    }
    case 'Bool': {
      const t = text.toLowerCase();
      if (['true', '1', 'yes', 'on', 't', 'y'].includes(t)) return true;
      if (['false', '0', 'no', 'off', 'f', 'n'].includes(t)) return false;
      throw new UsageError(`${action}: ${arg.name} must be true or false, not "${text}"`);
    }
    case 'StringList':
      return text.split(/\s+/).filter(Boolean);
    default:
      return text;
  }
}

export function parseCall(words: string[]): {
  action: Action;
  args: unknown[];
  optargs: Record<string, unknown>;
} {
  const [name, ...rest] = words;
  const action = findAction(name!);
  if (!action) throw new UsageError(`${name}: no such action (guestkit call --list shows them)`);
  const args: unknown[] = [];
  const optargs: Record<string, unknown> = {};
  let i = 0;
  for (const arg of action.args) {
    if (i >= rest.length)
      throw new UsageError(`${action.name}: missing argument ${arg.name} (${arg.type})`);
    args.push(parseValue(arg, rest[i++]!, action.name));
  }
  for (; i < rest.length; i++) {
    const m = /^([a-z_]+):(.*)$/.exec(rest[i]!);
    const opt = m && action.optargs?.find((o) => o.name === m[1]);
    if (!m || !opt) throw new UsageError(`${action.name}: unexpected argument "${rest[i]}"`);
    optargs[opt.name] = parseValue(opt, m[2]!, action.name);
  }
  return { action, args, optargs };
}

/**
 * JSON for a result: byte buffers (RBufferOut, xattr values) print as a string when they
 * are valid UTF-8, else as {"hex": "…"}, instead of an object of numbered bytes.
 */
export function resultJson(result: unknown): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return JSON.stringify(result === undefined ? null : result, (_k, v: unknown) => {
    if (!(v instanceof Uint8Array)) return v;
    try {
      return utf8.decode(v);
    } catch {
      return { hex: [...v].map((b) => b.toString(16).padStart(2, '0')).join('') };
    }
  });
}

/** Actions after which new devices (and so filesystem types) may exist. */
const NEW_DEVICES = new Set([
  'cryptsetup_open',
  'luks_open',
  'luks_open_ro',
  'lvm_scan',
  'vgscan',
  'vg_activate',
  'vg_activate_all',
]);

/**
 * Runs each call in order; stops at the first error (guestfish does too). After launch
 * the filesystem drivers the image needs are loaded, so mount and the file actions work.
 */
export async function runCalls(
  g: Guestfs,
  calls: string[][],
  launchedAlready: boolean,
  print: (line: string) => void,
  /** Runs right after launch (the --key decryption). */
  afterLaunch: () => Promise<void> = async () => {},
): Promise<void> {
  let launched = launchedAlready;
  for (const words of calls) {
    const { action, args, optargs } = parseCall(words);
    if (!launched && !action.beforeLaunch) {
      g.launch();
      await afterLaunch();
      await g.prepareFilesystems();
      launched = true;
    }
    const result = g.call(action.name, args, optargs);
    if (action.name === 'launch') {
      await afterLaunch();
      await g.prepareFilesystems();
      launched = true;
    }
    // An opened LUKS volume or an activated VG may hold filesystems of new types.
    if (NEW_DEVICES.has(action.name)) await g.prepareFilesystems();
    print(resultJson(result));
  }
}

export function listActions(): string {
  const lines = ACTIONS.map((a) => {
    const sig = [
      ...a.args.map((x) => `${x.name}:${x.type}`),
      ...(a.optargs ?? []).map((x) => `[${x.name}:${x.type}]`),
    ];
    const why = a.state === 'implemented' ? a.doc : `${a.doc} — ${a.reason ?? ''}`;
    return `${a.name.padEnd(26)} ${a.state.padEnd(11)} ${a.ret.padEnd(12)} ${sig.join(' ')}\n    ${why}`;
  });
  return `${lines.join('\n')}\n`;
}
