// An image file drawn by the browser from a Blob URL. The type comes from the file's
// magic bytes (sniff.ts), never its name; files above IMAGE_MAX are not read in full.
// SVG drawn through <img> runs no scripts and loads nothing.

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Bytes } from '../Bytes.js';
import { callEngine } from '../worker-client.js';
import { InlineError } from './InlineError.js';
import { fsKeys } from './fs-queries.js';
import type { ImageMime } from './sniff.js';

/** Largest image previewed: enough for photos, not for a disk image named .png. */
export const IMAGE_MAX = 32 * 1024 * 1024;
/** Bytes per read while fetching an image (the worker's readRange allows 16 MiB). */
const IMAGE_READ = 8 * 1024 * 1024;

interface Props {
  session: number;
  device: string;
  path: string;
  size: number;
  mime: ImageMime;
}

async function readImage(p: Props): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let off = 0; off < p.size; off += IMAGE_READ) {
    const len = Math.min(IMAGE_READ, p.size - off);
    const bytes = await callEngine(async (api): Promise<Uint8Array> =>
      api.readRange(p.session, p.device, p.path, off, len),
    );
    parts.push(bytes as Uint8Array<ArrayBuffer>);
  }
  return new Blob(parts, { type: p.mime });
}

export function ImagePreview(p: Props) {
  const tooBig = p.size > IMAGE_MAX;
  const q = useQuery({
    queryKey: [...fsKeys.range(p.session, p.device, p.path, 0, p.size), 'image'],
    queryFn: () => readImage(p),
    enabled: !tooBig,
    staleTime: Infinity,
    gcTime: 30_000,
  });
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!q.data) return;
    const u = URL.createObjectURL(q.data);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [q.data]);
  const [broken, setBroken] = useState(false);
  if (tooBig)
    return (
      <p className="muted" data-testid="image-too-big">
        This image is <Bytes value={p.size} />; previews stop at <Bytes value={IMAGE_MAX} />.
        Download it to view it.
      </p>
    );
  if (q.error) return <InlineError error={q.error} />;
  if (!url) return <p className="muted">Reading…</p>;
  return (
    <figure className="image-preview">
      <img
        src={url}
        alt={`Preview of ${p.path}`}
        data-testid="image-preview"
        data-mime={p.mime}
        onError={() => setBroken(true)}
      />
      {broken && (
        <figcaption className="inline-error">
          The file starts like {p.mime} but the browser could not draw it.
        </figcaption>
      )}
    </figure>
  );
}
