// An engine error shown where the answer would have been (a listing, a viewer, a tree
// node): what kind of fault, the message, and the structure/offset or feature it names.
// A pane never goes blank because a call failed.

import type { EngineError } from '../../engine/errors.js';

const WHAT: Record<string, string> = {
  corrupt: 'Damaged filesystem structure',
  unsupported: 'Not supported yet',
  locked: 'Encrypted',
  io: 'Read error',
  ENOENT: 'Not found',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many symbolic links',
  EINVAL: 'Cannot do that here',
};

export function InlineError({ error, testId }: { error: unknown; testId?: string }) {
  const e = (error instanceof Error ? error : new Error(String(error))) as Partial<EngineError> &
    Error;
  const where =
    e.structure !== undefined
      ? `${e.structure}${e.offset !== undefined ? ` at byte ${e.offset}` : ''}`
      : undefined;
  return (
    <div
      role="alert"
      className="inline-error fs-error"
      data-testid={testId ?? 'fs-error'}
      data-kind={e.kind ?? e.name}
    >
      <strong>{WHAT[e.kind ?? ''] ?? 'Error'}:</strong> <span>{e.message}</span>
      {where && <span className="detail"> — {where}</span>}
      {e.feature && <span className="detail"> — feature: {e.feature}</span>}
    </div>
  );
}
