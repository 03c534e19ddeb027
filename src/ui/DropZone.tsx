// Where images come in: drag and drop (one file or a whole backing chain at once), a file
// picker, and the demo image. Files are handed to the worker as File objects, which read
// straight from disk: nothing is uploaded, and the only fetch is the demo image.

import { useMutation } from '@tanstack/react-query';
import { type DragEvent, useId, useState } from 'react';
import { useFormats } from './queries.js';

export const DEMO_URL = `${import.meta.env.BASE_URL}demo/demo.qcow2`;

async function fetchDemo(): Promise<File> {
  const missing = 'The demo image is not available on this site (scripts/build-demo.sh builds it).';
  let res: Response;
  try {
    res = await fetch(DEMO_URL);
  } catch {
    throw new Error(missing);
  }
  // A development server answers unknown paths with index.html (200, text/html).
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(missing);
  }
  return new File([await res.blob()], 'demo.qcow2', { type: 'application/octet-stream' });
}

interface Props {
  onFiles(files: File[]): void;
  /** The format forced on the next open, or undefined to detect it from the content. */
  format: string | undefined;
  onFormat(format: string | undefined): void;
  busy: boolean;
  /** Shrink once an image is open; the zone stays for the next drop. */
  compact: boolean;
}

/** Detection from content is right almost always; forcing helps with a raw image whose
 * first bytes happen to look like another format. */
function FormatSelect({ format, onFormat }: Pick<Props, 'format' | 'onFormat'>) {
  const formats = useFormats().data ?? [];
  return (
    <label className="format-select">
      Format{' '}
      <select
        aria-label="Image format"
        value={format ?? ''}
        onChange={(e) => onFormat(e.target.value || undefined)}
      >
        <option value="">detect</option>
        {formats.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </label>
  );
}

export function DropZone({ onFiles, format, onFormat, busy, compact }: Props) {
  const [over, setOver] = useState(false);
  const inputId = useId();
  const formats = useFormats().data;
  const demo = useMutation({ mutationFn: fetchDemo, onSuccess: (file) => onFiles([file]) });

  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length > 0) onFiles(files);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
  };

  const classes = ['drop-zone', over ? 'over' : '', compact ? 'compact' : ''].join(' ');
  return (
    <section
      className={classes}
      aria-label="Open disk images"
      data-testid="drop-zone"
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <div className="drop-text">
        <p className="drop-title">
          {compact ? 'Drop another image here' : 'Drop disk images here'}
        </p>
        <p className="drop-hint">
          {formats ? `${formats.join(', ')}. ` : ''}Drop an overlay together with its backing files.
          Files are read in this tab and never leave your computer.
        </p>
      </div>
      <div className="drop-actions">
        <label className="button primary" htmlFor={inputId}>
          Choose files…
        </label>
        <input
          id={inputId}
          type="file"
          multiple
          className="visually-hidden"
          aria-label="Choose disk image files"
          data-testid="file-input"
          disabled={busy}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = ''; // choosing the same file again must fire change again
            if (files.length > 0) onFiles(files);
          }}
        />
        <button
          type="button"
          className="button"
          onClick={() => demo.mutate()}
          disabled={busy || demo.isPending}
        >
          {demo.isPending ? 'Loading demo…' : 'Try the demo image'}
        </button>
        <FormatSelect format={format} onFormat={onFormat} />
      </div>
      {demo.error && (
        <p role="alert" className="inline-error" data-testid="demo-error">
          {demo.error.message}
        </p>
      )}
    </section>
  );
}
