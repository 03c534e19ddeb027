// A file as UTF-8 text, TEXT_PAGE bytes at a time: the first page on open, more on
// "Load more". Pages are decoded in order by one streaming decoder, so a character cut
// at a page boundary comes out whole; invalid bytes show as U+FFFD.

import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Bytes } from '../Bytes.js';
import { callEngine } from '../worker-client.js';
import { InlineError } from './InlineError.js';
import { fsKeys } from './fs-queries.js';

/** Bytes read per page of text: a few thousand lines, cheap to lay out. */
export const TEXT_PAGE = 256 * 1024;

interface Props {
  session: number;
  device: string;
  path: string;
  size: number;
}

export function TextView({ session, device, path, size }: Props) {
  const q = useInfiniteQuery({
    queryKey: [...fsKeys.range(session, device, path, 0, 0), 'text'],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      callEngine(async (api): Promise<Uint8Array> =>
        api.readRange(session, device, path, pageParam, TEXT_PAGE),
      ),
    getNextPageParam: (_last, all) => {
      const loaded = all.reduce((n, p) => n + p.length, 0);
      return loaded < size && all.at(-1)!.length > 0 ? loaded : undefined;
    },
    staleTime: Infinity,
    gcTime: 30_000,
  });
  const pages = q.data?.pages;
  const loaded = pages?.reduce((n, p) => n + p.length, 0) ?? 0;
  const more = q.hasNextPage;
  const text = useMemo(() => {
    if (!pages) return '';
    const dec = new TextDecoder('utf-8');
    return pages.map((p, i) => dec.decode(p, { stream: i < pages.length - 1 || more })).join('');
  }, [pages, more]);
  if (q.error) return <InlineError error={q.error} />;
  if (!pages) return <p className="muted">Reading…</p>;
  return (
    <div className="text-view">
      <pre className="text-body" data-testid="text-view" data-loaded={loaded}>
        {text}
      </pre>
      {more && (
        <p className="text-more">
          <span className="muted">
            Showing <Bytes value={loaded} /> of <Bytes value={size} />.
          </span>{' '}
          <button
            type="button"
            className="button small"
            data-testid="text-load-more"
            disabled={q.isFetchingNextPage}
            onClick={() => void q.fetchNextPage()}
          >
            {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
    </div>
  );
}
