import { ScanRetriedSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Queues a scan's failed images again. */
export const retryScan = (id: string) =>
  send(ScanRetriedSchema, `/api/v1/scans/${encodeURIComponent(id)}/retry`, 'POST');

export function useRetryScan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: retryScan,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.scans }),
  });
}
