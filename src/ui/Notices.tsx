// Messages about the last open: an error from the engine (with the fields EngineError
// carries), a file that is not a disk image, or the choice of which image to open.

import type { EngineError } from '../engine/errors.js';
import type { ChooseDrives, NotDiskImageNotice } from '../worker/session.js';

const TITLES: Record<string, string> = {
  corrupt: 'The image is damaged',
  unsupported: 'Not supported yet',
  locked: 'The image is encrypted',
  ENOENT: 'A file is missing',
  io: 'The file could not be read',
  EINVAL: 'These files cannot be opened together',
};

export function OpenError({ error }: { error: Error }) {
  const e = error as Partial<EngineError> & Error;
  const where =
    e.structure !== undefined
      ? `${e.structure}${e.offset !== undefined ? ` at byte ${e.offset}` : ''}`
      : undefined;
  return (
    <div role="alert" className="panel error-panel" data-testid="open-error" data-kind={e.kind}>
      <h2>{TITLES[e.kind ?? ''] ?? 'The image could not be opened'}</h2>
      <p data-testid="open-error-message">{e.message}</p>
      {where && <p className="detail">Where: {where}</p>}
      {e.expected !== undefined && (
        <p className="detail">
          Expected {e.expected}, found {e.actual}
        </p>
      )}
      {e.feature && <p className="detail">Feature: {e.feature}</p>}
    </div>
  );
}

export function NotDiskImage({ notice }: { notice: NotDiskImageNotice }) {
  return (
    <div role="alert" className="panel warning-panel" data-testid="not-disk-image">
      <h2>Not a disk image?</h2>
      <p data-testid="not-disk-image-message">{notice.message}</p>
      <p className="detail">What was found:</p>
      <ul className="detail">
        {notice.detected.map((d) => (
          <li key={d}>{d}</li>
        ))}
      </ul>
    </div>
  );
}

export function ChooseImage({
  choice,
  onChoose,
}: {
  choice: ChooseDrives;
  onChoose(drives: string[]): void;
}) {
  return (
    <div role="group" aria-label="Choose the image to open" className="panel" data-testid="choose">
      <h2>Which image do you want to open?</h2>
      <p>None of these files is the backing file of another, so each could be the disk to open.</p>
      <div className="choice-buttons">
        {choice.candidates.map((c) => (
          <button key={c} type="button" className="button" onClick={() => onChoose([c])}>
            Open {c}
          </button>
        ))}
        <button type="button" className="button" onClick={() => onChoose(choice.candidates)}>
          Open all {choice.candidates.length} as separate disks
        </button>
      </div>
    </div>
  );
}
