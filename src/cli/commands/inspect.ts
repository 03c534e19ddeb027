// `guestkit inspect -a IMG… [--xml|--json] [--no-applications] [--no-icon]` — what
// virt-inspector prints: XML by default (element for element as virt-inspector writes it,
// valid against its RELAX NG schema), or the same data as JSON under the same names.
// Filesystems that could not be inspected (no driver, encrypted, damaged, BSD UFS) are
// reported on stderr as warnings, and in the JSON under "notes"; when no OS is found the
// command fails as virt-inspector does.

import { EngineError } from '../../engine/errors.js';
import type { Guestfs } from '../../engine/guestfs/handle.js';
import { inspectorReport } from '../../engine/guestfs/inspector-report.js';
import type { InspectionNote } from '../../engine/inspect/pipeline.js';
import type { InspectorReport } from '../../engine/inspect/report.js';
import { virtInspectorXml } from '../../engine/inspect/virt-inspector-xml.js';
import { type CommonArgs, UsageError } from '../args.js';
import { openEncrypted } from './keys.js';

const FLAGS = new Set(['--xml', '--json', '--no-applications', '--no-icon']);

export const INSPECT_USAGE =
  'inspect -a IMG… [--format FMT] [--xml|--json] [--no-applications] [--no-icon] [-v] [-x]';

export function checkInspectFlags(args: CommonArgs): 'xml' | 'json' {
  for (const f of args.flags.keys())
    if (!FLAGS.has(f)) throw new UsageError(`inspect: unknown option ${f}`);
  if (args.positional.length > 0)
    throw new UsageError(`inspect: unexpected argument "${args.positional[0]}"`);
  if (args.flags.has('--xml') && args.flags.has('--json'))
    throw new UsageError('inspect: choose one of --xml and --json');
  return args.flags.has('--json') ? 'json' : 'xml';
}

/** The report as JSON: same names as the XML, the icon as base64, plus the notes. */
export function reportJson(report: InspectorReport, notes: InspectionNote[]): string {
  const operatingsystems = report.operatingsystems.map((os) => {
    const { icon, ...rest } = os;
    return icon ? { ...rest, icon: Buffer.from(icon).toString('base64') } : rest;
  });
  const n = notes.map(({ device, type, kind, message }) => ({ device, type, kind, message }));
  return `${JSON.stringify({ operatingsystems, notes: n }, null, 2)}\n`;
}

const NO_OS = `no operating system could be detected inside this disk image.

This may be because the file is not a disk image, or is not a virtual machine
image, or because the OS type is not understood by guestkit.`;

/** Runs the command on a handle with the drives added; returns the exit status. */
export async function runInspect(
  g: Guestfs,
  args: CommonArgs,
  out: (s: string) => void,
  warn: (s: string) => void,
): Promise<number> {
  const mode = checkInspectFlags(args);
  g.launch();
  await openEncrypted(g, args, warn);
  await g.prepareInspection();
  const roots = g.inspect_os();
  const notes = g.inspect_notes();
  for (const n of notes) warn(`guestkit: warning: ${n.device} (${n.type}): ${n.message}`);
  if (roots.length === 0) {
    const more = notes.length ? '\n\nSome filesystems could not be read (see the warnings).' : '';
    throw new EngineError('EINVAL', NO_OS + more);
  }
  const { report, warnings } = inspectorReport(g, roots, {
    applications: !args.flags.has('--no-applications'),
    icon: !args.flags.has('--no-icon'),
  });
  for (const w of warnings) warn(`guestkit: warning: some filesystems could not be mounted: ${w}`);
  out(mode === 'json' ? reportJson(report, notes) : virtInspectorXml(report));
  return 0;
}
