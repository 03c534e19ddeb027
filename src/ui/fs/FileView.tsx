// The file under the listing: its facts (size, mode, owner, time, inode, link target), a
// download button, and its contents as text, hex or image — the viewer chosen from the
// file's first bytes, switchable by hand. Reads go to the link's target for a symlink.

import { useState } from 'react';
import type { FsStat } from '../../worker/fs-api.js';
import { Bytes } from '../Bytes.js';
import { HexView } from './HexView.js';
import { ImagePreview } from './ImagePreview.js';
import { InlineError } from './InlineError.js';
import { TextView } from './TextView.js';
import { useRange } from './fs-queries.js';
import { formatTime, modeString } from './modes.js';
import { SNIFF_BYTES, type ViewerKind, defaultViewer, sniffImage } from './sniff.js';

interface Props {
  session: number;
  device: string;
  stat: FsStat;
  onDownload(path: string): void;
  onClose(): void;
}

function Facts({ stat }: { stat: FsStat }) {
  const e = stat.entry;
  const t = stat.resolved?.entry ?? e;
  return (
    <dl className="file-facts">
      <dt>Size</dt>
      <dd data-testid="file-size">
        <Bytes value={t.size} />
      </dd>
      <dt>Mode</dt>
      <dd className="mono">{modeString(t.mode)}</dd>
      <dt>Owner</dt>
      <dd className="mono">
        {t.uid}:{t.gid}
      </dd>
      <dt>Modified</dt>
      <dd className="mono">{formatTime(t.mtimeSec)} UTC</dd>
      <dt>Inode</dt>
      <dd className="mono">{t.ino}</dd>
      {e.type === 'symlink' && (
        <>
          <dt>Link</dt>
          <dd className="mono" data-testid="file-link">
            → {e.target} {stat.resolved && `(${stat.resolved.path})`}
          </dd>
        </>
      )}
    </dl>
  );
}

const LABELS: Record<ViewerKind, string> = { text: 'Text', hex: 'Hex', image: 'Image' };

function Contents({
  session,
  device,
  path,
  size,
}: {
  session: number;
  device: string;
  path: string;
  size: number;
}) {
  const head = useRange(session, device, path, 0, Math.min(SNIFF_BYTES, size));
  const [chosen, setChosen] = useState<ViewerKind>();
  if (head.error) return <InlineError error={head.error} />;
  if (!head.data) return <p className="muted">Reading…</p>;
  const mime = sniffImage(head.data);
  const kind = chosen ?? defaultViewer(head.data);
  const kinds: ViewerKind[] = mime ? ['image', 'text', 'hex'] : ['text', 'hex'];
  return (
    <>
      <div role="tablist" className="viewer-tabs" aria-label="View as">
        {kinds.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={k === kind}
            className={`tab${k === kind ? ' active' : ''}`}
            data-testid={`viewer-${k}`}
            onClick={() => setChosen(k)}
          >
            {LABELS[k]}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="viewer">
        {kind === 'text' && <TextView session={session} device={device} path={path} size={size} />}
        {kind === 'hex' && <HexView session={session} device={device} path={path} size={size} />}
        {kind === 'image' && mime && (
          <ImagePreview session={session} device={device} path={path} size={size} mime={mime} />
        )}
      </div>
    </>
  );
}

export function FileView({ session, device, stat, onDownload, onClose }: Props) {
  const target = stat.resolved;
  const name = stat.entry.name;
  return (
    <section
      className="panel file-view"
      aria-label={`File ${stat.path}`}
      data-testid="file-view"
      data-path={stat.path}
    >
      <header className="file-head">
        <h3 className="mono" data-testid="file-name">
          {name}
        </h3>
        <div className="file-actions">
          {target?.entry.type === 'file' && (
            <button
              type="button"
              className="button small primary"
              data-testid="download-file"
              onClick={() => onDownload(target.path)}
            >
              Download
            </button>
          )}
          <button
            type="button"
            className="button small"
            onClick={onClose}
            aria-label="Close the file"
          >
            Close
          </button>
        </div>
      </header>
      <Facts stat={stat} />
      {!target ? (
        <InlineError error={new Error(stat.resolveError ?? 'the link leads nowhere')} />
      ) : target.entry.type === 'file' ? (
        <Contents
          key={target.path}
          session={session}
          device={device}
          path={target.path}
          size={target.entry.size}
        />
      ) : (
        <p className="muted" data-testid="file-no-data">
          {stat.path} is a {target.entry.type}: it has no data in the image.
        </p>
      )}
    </section>
  );
}
