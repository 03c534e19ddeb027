// The filesystem pane under the disk map: one tab per filesystem of the image (those
// without a driver are shown, disabled, with the reason), and for the chosen one a folder
// tree, the listing of the current directory and the open file. Where we are lives in
// the URL hash (location.ts), so links, reloads followed by the same drop, and back and
// forward all land on the same device and path.

import type { FsInfo } from '../../worker/fs-api.js';
import { humanSize } from '../format.js';
import { DirListing } from './DirListing.js';
import { DirTree } from './DirTree.js';
import { Downloads } from './Downloads.js';
import { FileView } from './FileView.js';
import { InlineError } from './InlineError.js';
import { startDownload } from './downloads.js';
import { useFilesystems, useStat } from './fs-queries.js';
import {
  type FsLocation,
  ancestors,
  baseName,
  navigate,
  parentPath,
  parseHash,
  useHash,
} from './location.js';
import './fs.css';

function tabLabel(f: FsInfo): string {
  return `${f.device.replace('/dev/', '')} · ${f.type}${f.label ? ` “${f.label}”` : ''}`;
}

function FsTabs({ list, current }: { list: FsInfo[]; current: string | undefined }) {
  return (
    <div role="tablist" className="fs-tabs" aria-label="Filesystems">
      {list.map((f) => (
        <button
          key={f.device}
          type="button"
          role="tab"
          aria-selected={f.device === current}
          disabled={!f.browsable}
          title={f.reason ?? `${f.type}, ${humanSize(f.size)}`}
          className={`tab${f.device === current ? ' active' : ''}`}
          data-testid="fs-tab"
          data-device={f.device}
          onClick={() => navigate({ device: f.device, path: '/' })}
        >
          {tabLabel(f)}
          {!f.browsable && <span className="muted"> (no driver)</span>}
        </button>
      ))}
    </div>
  );
}

function Breadcrumbs({ device, path }: FsLocation) {
  return (
    <nav className="crumbs mono" aria-label="Path" data-testid="fs-path" data-path={path}>
      {ancestors(path).map((a) => (
        <button
          key={a}
          type="button"
          className="crumb"
          onClick={() => navigate({ device, path: a })}
        >
          {a === '/' ? device : baseName(a)}
        </button>
      ))}
    </nav>
  );
}

/** Where the hash points, or where to start; and what to tell about a link that misses. */
function resolveLocation(hash: string, list: FsInfo[]) {
  const first = list.find((f) => f.browsable);
  const fallback = first && { device: first.device, path: '/' };
  const parsed = parseHash(
    hash,
    list.map((f) => f.device),
  );
  if (!parsed) return { loc: fallback };
  if ('unmatched' in parsed)
    return { loc: fallback, notice: `This image has no filesystem at ${parsed.unmatched}.` };
  const info = list.find((f) => f.device === parsed.device)!;
  if (!info.browsable) return { loc: fallback, notice: `${info.device}: ${info.reason}.` };
  return { loc: parsed };
}

function Browser({ session, loc, label }: { session: number; loc: FsLocation; label: string }) {
  const { device, path } = loc;
  const stat = useStat(session, device, path);
  const shown = stat.data;
  const isDir = shown?.resolved?.entry.type === 'directory';
  const dir = shown ? (isDir ? shown.path : parentPath(shown.path)) : parentPath(path);
  const file = shown && !isDir ? shown : undefined;
  return (
    <div className="fs-browser" data-testid="fs-browser" data-device={device}>
      <DirTree session={session} device={device} current={dir} rootLabel={label} />
      <div className="fs-main">
        <Breadcrumbs device={device} path={stat.isPlaceholderData ? path : (shown?.path ?? path)} />
        {stat.error && <InlineError error={stat.error} testId="path-error" />}
        {stat.isPending && <p className="muted">Opening {path}…</p>}
        {shown && (
          <DirListing
            key={`${device}:${dir}`}
            session={session}
            device={device}
            dir={dir}
            selected={file?.entry.name}
            onDownloadDir={() => startDownload(session, device, dir, 'tar')}
          />
        )}
        {file && (
          <FileView
            key={file.path}
            session={session}
            device={device}
            stat={file}
            onDownload={(p) => startDownload(session, device, p, 'file')}
            onClose={() => navigate({ device, path: dir })}
          />
        )}
      </div>
    </div>
  );
}

export function FilesystemPane({ session }: { session: number }) {
  const fsq = useFilesystems(session);
  const hash = useHash();
  let body;
  if (fsq.error) body = <InlineError error={fsq.error} />;
  else if (!fsq.data) body = <p className="muted">Loading the filesystem drivers…</p>;
  else if (fsq.data.length === 0) body = <p className="muted">No filesystems on this image.</p>;
  else {
    const { loc, notice } = resolveLocation(hash, fsq.data);
    const info = loc && fsq.data.find((f) => f.device === loc.device);
    body = (
      <>
        <FsTabs list={fsq.data} current={loc?.device} />
        {notice && (
          <p className="inline-warning" data-testid="fs-link-notice">
            {notice}
          </p>
        )}
        {loc && info ? (
          <Browser key={loc.device} session={session} loc={loc} label={tabLabel(info)} />
        ) : (
          <p className="muted">None of these filesystems can be browsed yet.</p>
        )}
      </>
    );
  }
  return (
    <section className="panel fs-pane" aria-label="Files" data-testid="fs-pane">
      <h2>Files</h2>
      {body}
      <Downloads />
    </section>
  );
}
