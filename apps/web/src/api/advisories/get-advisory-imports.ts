import { AdvisoryImportListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The newest imports, manual and scheduled, with their state and per-ecosystem counts. */
export const getAdvisoryImports = async () =>
  (await request(AdvisoryImportListSchema, '/api/v1/advisories/imports')).items;

/** Polled every 2 s while an import is queued or running. */
export const advisoryImportsQueryOptions = () =>
  queryOptions({
    queryKey: [...queryRoots.advisories, 'imports'],
    queryFn: getAdvisoryImports,
    refetchInterval: (q) =>
      q.state.data?.some((i) => i.status === 'queued' || i.status === 'running') ? 2000 : false,
  });

export const useAdvisoryImports = () => useQuery(advisoryImportsQueryOptions());
