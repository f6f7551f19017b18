import { type BulkTriageRequest, BulkTriageResultSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One triage over selected rows or everything a filter matches (`dryRun`: only count). */
export const bulkTriage = (body: BulkTriageRequest) =>
  send(BulkTriageResultSchema, '/api/v1/triage/bulk', 'POST', body);

export function useBulkTriage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: bulkTriage,
    onSuccess: (result) => {
      if (!result.dryRun) client.invalidateQueries({ queryKey: queryRoots.findings });
    },
  });
}
