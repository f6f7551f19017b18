import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queryRoots } from './query-keys.ts';

/**
 * Refreshes everything a finished scan changes: findings (lists, details, summaries, images),
 * the registries' image counts, and the scans list.
 */
export function useRefreshScanResults() {
  const client = useQueryClient();
  return useCallback(() => {
    for (const root of [queryRoots.findings, queryRoots.registries, queryRoots.scans]) {
      client.invalidateQueries({ queryKey: root });
    }
  }, [client]);
}
