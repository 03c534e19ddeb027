// Which of the supplied files is the disk to open? A user drops a whole backing chain
// (disk.qcow2 + base.qcow2) without saying which is on top; the top is the one image that
// no other supplied image names as its backing (or data, or extent) file. Opening each
// image once through the environment's recording resolver tells us exactly that, with the
// engine's own format drivers deciding what a file references.

import { EngineError } from '../engine/errors.js';
import { createOpenContext, openImage } from '../engine/formats/registry.js';
import type { MissingReference, SuppliedFilesEnvironment } from './browser-env.js';

export interface ImageSetAnalysis {
  /** Files no other supplied image refers to, in the order supplied. */
  tops: string[];
  /** Files that could not be opened as an image, with why. */
  failures: Map<string, { error: unknown; missing: MissingReference[] }>;
}

/** Open one file as an image (backing chain included); return what went wrong, if anything. */
function tryOpen(env: SuppliedFilesEnvironment, name: string) {
  const rec = env.resolver;
  rec.missing = [];
  try {
    const file = env.openDrive(name);
    openImage(file.source, createOpenContext(rec, file.key));
    return undefined;
  } catch (error) {
    return { error, missing: rec.missing };
  }
}

export function analyseImageSet(env: SuppliedFilesEnvironment): ImageSetAnalysis {
  const failures: ImageSetAnalysis['failures'] = new Map();
  for (const name of env.names()) {
    // A file already named by another image is not a top; its own references were
    // followed when that image opened it.
    if (env.resolver.referenced.has(name)) continue;
    const failure = tryOpen(env, name);
    if (failure) failures.set(name, failure);
  }
  const tops = env.names().filter((n) => !env.resolver.referenced.has(n));
  return { tops, failures };
}

/** What the missing file is to the image, in the format driver's own words ("needs extent
 * x-s003.vmdk", "needs segment x.E02"); a backing file when the driver does not say. */
const ROLE = /\b(backing file|data file|parent disk|parent|extent|segment)\b/;

/** The friendly form of "a file this image needs was not supplied". */
export function missingFileError(
  missing: MissingReference,
  top: string,
  cause?: unknown,
): EngineError {
  const needed = basename(missing.reference);
  const referrer = basename(missing.referrer || top);
  const role = (cause instanceof Error && ROLE.exec(cause.message)?.[1]) || 'backing file';
  return new EngineError(
    'ENOENT',
    `${referrer} needs its ${role} ${needed} — drop it together with the image`,
    { path: needed },
  );
}

/** Turn an open failure into what the user should see: a missing file is named; any other
 * error is the engine's own. */
export function explainOpenFailure(error: unknown, missing: MissingReference[], top: string) {
  if (error instanceof EngineError && error.kind === 'ENOENT' && missing.length > 0) {
    return missingFileError(missing[0]!, top, error);
  }
  return error;
}

/** Choose the drives to open, or undefined when the user has to choose among several tops. */
export function chooseDrives(
  analysis: ImageSetAnalysis,
  names: string[],
  requested?: string[],
): string[] | undefined {
  if (requested && requested.length > 0) {
    for (const r of requested) {
      if (!names.includes(r)) {
        throw new EngineError('EINVAL', `${r} is not among the supplied files`, { path: r });
      }
    }
    return requested;
  }
  if (analysis.tops.length === 1) return analysis.tops;
  if (analysis.tops.length === 0) {
    // Every file is named by another: the images refer to each other in a loop.
    const first = analysis.failures.values().next().value;
    if (first) throw first.error;
    throw new EngineError('corrupt', `the supplied images refer to each other in a loop`, {
      structure: 'backing chain',
      offset: 0,
    });
  }
  return undefined;
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}
