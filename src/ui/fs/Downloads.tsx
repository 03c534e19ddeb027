// Running and finished downloads: progress (bytes, and a bar when the size is known),
// cancel while running, save again or dismiss when done, the error when one failed.

import { Bytes } from '../Bytes.js';
import { InlineError } from './InlineError.js';
import {
  type DownloadJob,
  cancelDownload,
  dismissDownload,
  saveAgain,
  useDownloads,
} from './downloads.js';

function Job({ job }: { job: DownloadJob }) {
  return (
    <li className="download" data-testid="download" data-status={job.status} data-name={job.name}>
      <span className="mono download-name">{job.name}</span>{' '}
      <span className="muted">
        {job.device}
        {job.path}
      </span>
      <div className="download-progress">
        {job.total !== undefined ? (
          <progress
            value={job.done}
            max={Math.max(1, job.total)}
            aria-label={`Progress of ${job.name}`}
          />
        ) : (
          <progress aria-label={`Progress of ${job.name}`} />
        )}{' '}
        <Bytes value={job.done} testId="download-done" />
        {job.total !== undefined && (
          <>
            {' '}
            of <Bytes value={job.total} />
          </>
        )}{' '}
        <span data-testid="download-status">{job.status}</span>
      </div>
      {job.status === 'failed' && job.error && <InlineError error={job.error} />}
      <div className="download-actions">
        {job.status === 'running' && (
          <button
            type="button"
            className="button small"
            data-testid="download-cancel"
            onClick={() => cancelDownload(job.id)}
          >
            Cancel
          </button>
        )}
        {job.status === 'done' && (
          <button type="button" className="button small" onClick={() => saveAgain(job.id)}>
            Save again
          </button>
        )}
        {job.status !== 'running' && (
          <button type="button" className="button small" onClick={() => dismissDownload(job.id)}>
            Dismiss
          </button>
        )}
      </div>
    </li>
  );
}

export function Downloads() {
  const jobs = useDownloads();
  if (jobs.length === 0) return null;
  return (
    <section className="fs-downloads" aria-label="Downloads" data-testid="downloads">
      <h3>Downloads</h3>
      <ul>
        {jobs.map((j) => (
          <Job key={j.id} job={j} />
        ))}
      </ul>
    </section>
  );
}
