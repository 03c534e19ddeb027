// The filesystem pane's worker calls as TanStack queries, keyed under the image session
// (['session', id, 'fs', …]) so opening another image drops them all. The image is
// read-only: an answer never goes stale.

import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import type { DirPage, SortOrder } from '../../worker/fs-api.js';
import { callEngine } from '../worker-client.js';

/** Rows per listDir call: a few screens, so scrolling rarely waits and a jump to the end
 * asks for one page. */
export const LIST_PAGE = 500;

export const fsKeys = {
  all: (session: number) => ['session', session, 'fs'] as const,
  filesystems: (session: number) => ['session', session, 'fs', 'list'] as const,
  dir: (session: number, device: string, path: string, sort: SortOrder, page: number) =>
    ['session', session, 'fs', device, 'dir', path, sort.key, !!sort.descending, page] as const,
  subdirs: (session: number, device: string, path: string) =>
    ['session', session, 'fs', device, 'subdirs', path] as const,
  stat: (session: number, device: string, path: string) =>
    ['session', session, 'fs', device, 'stat', path] as const,
  range: (session: number, device: string, path: string, offset: number, length: number) =>
    ['session', session, 'fs', device, 'range', path, offset, length] as const,
};

const forever = { staleTime: Infinity, gcTime: 5 * 60_000 } as const;

export function useFilesystems(session: number) {
  return useQuery({
    queryKey: fsKeys.filesystems(session),
    queryFn: () => callEngine((api) => api.filesystems(session)),
    ...forever,
  });
}

export function dirPageQuery(
  session: number,
  device: string,
  path: string,
  sort: SortOrder,
  page: number,
) {
  return {
    queryKey: fsKeys.dir(session, device, path, sort, page),
    queryFn: (): Promise<DirPage> =>
      callEngine((api) =>
        api.listDir(session, device, path, { offset: page * LIST_PAGE, limit: LIST_PAGE, sort }),
      ),
    ...forever,
  };
}

/** The listing pages `pages` of one directory, in the order asked. */
export function useDirPages(
  session: number,
  device: string,
  path: string,
  sort: SortOrder,
  pages: number[],
) {
  return useQueries({ queries: pages.map((p) => dirPageQuery(session, device, path, sort, p)) });
}

export function useSubdirs(session: number, device: string, path: string, enabled: boolean) {
  return useQuery({
    queryKey: fsKeys.subdirs(session, device, path),
    queryFn: () => callEngine((api) => api.subdirs(session, device, path)),
    enabled,
    ...forever,
  });
}

/** The entry at `path` and what it resolves to; the last answer stays shown while the
 * next path is looked up (no flash of an empty pane on each click). */
export function useStat(session: number, device: string, path: string) {
  return useQuery({
    queryKey: fsKeys.stat(session, device, path),
    queryFn: () => callEngine((api) => api.stat(session, device, path)),
    placeholderData: keepPreviousData,
    ...forever,
  });
}

export function rangeQuery(
  session: number,
  device: string,
  path: string,
  offset: number,
  length: number,
) {
  return {
    queryKey: fsKeys.range(session, device, path, offset, length),
    queryFn: () =>
      callEngine(async (api): Promise<Uint8Array> =>
        api.readRange(session, device, path, offset, length),
      ),
    ...forever,
    // Viewer pages are re-read cheaply; do not keep many MiB of them around.
    gcTime: 30_000,
  };
}

export function useRange(
  session: number,
  device: string,
  path: string,
  offset: number,
  length: number,
  enabled = true,
) {
  return useQuery({ ...rangeQuery(session, device, path, offset, length), enabled });
}
