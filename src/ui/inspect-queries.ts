// The inspection calls of the worker as TanStack queries, keyed by image session (a later
// image never shows an earlier one's identity or packages).

import { useQuery } from '@tanstack/react-query';
import { callEngine } from './worker-client.js';

export const inspectKeys = {
  inspection: (session: number) => ['session', session, 'inspect'] as const,
  applications: (session: number, root: string) =>
    ['session', session, 'applications', root] as const,
};

export function useInspection(session: number) {
  return useQuery({
    queryKey: inspectKeys.inspection(session),
    queryFn: () => callEngine((api) => api.inspect()),
    staleTime: Infinity,
    retry: false,
  });
}

export function useApplications(session: number, root: string | undefined) {
  return useQuery({
    queryKey: inspectKeys.applications(session, root ?? ''),
    queryFn: () => callEngine((api) => api.applications(root!)),
    enabled: root !== undefined,
    staleTime: Infinity,
    retry: false,
  });
}
