// Every worker call as a TanStack Query query or mutation, keyed by the image session the
// worker returned, so results of an earlier image never show under a later one.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { OpenOptions, OpenResult } from '../worker/session.js';
import { callEngine } from './worker-client.js';

export const sessionKeys = {
  all: ['session'] as const,
  inventory: (session: number) => ['session', session, 'inventory'] as const,
  io: (session: number) => ['session', session, 'io'] as const,
};

export interface OpenRequest {
  files: File[];
  opts?: OpenOptions;
}

export function useOpenImage() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ['open'],
    // Comlink types a union result as a union of promises; the value is one OpenResult.
    mutationFn: ({ files, opts }: OpenRequest) =>
      callEngine(async (api): Promise<OpenResult> => await api.open(files, opts)),
    onMutate: () => {
      // Opening closes the previous session in the worker: drop what we cached for it.
      qc.removeQueries({ queryKey: sessionKeys.all });
    },
    onSuccess: (result) => {
      if (result.status === 'opened') {
        qc.setQueryData(sessionKeys.inventory(result.session), result.inventory);
      }
    },
  });
}

/** The formats the engine can be told to use (the worker's driver list). */
export function useFormats() {
  return useQuery({
    queryKey: ['formats'],
    queryFn: () => callEngine((api) => api.formats()),
    staleTime: Infinity,
  });
}

export function useInventory(session: number) {
  return useQuery({
    queryKey: sessionKeys.inventory(session),
    queryFn: () => callEngine((api) => api.inventory()),
    staleTime: Infinity,
  });
}

export function useIoStats(session: number) {
  return useQuery({
    queryKey: sessionKeys.io(session),
    queryFn: () => callEngine((api) => api.ioStats()),
    // Counters only move when the worker does work; refresh when the user comes back.
    staleTime: 0,
  });
}
