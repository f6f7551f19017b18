import { type CreateScan, ScanCreatedSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Scan Now for a scope (registry, repository, namespace, images). */
export const startScan = (body: CreateScan) =>
  send(ScanCreatedSchema, '/api/v1/scans', 'POST', body);

export function useStartScan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: startScan,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.scans }),
  });
}
