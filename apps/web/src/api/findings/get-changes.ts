import { ChangeListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** What changed (new, resolved, reintroduced findings and why); `query` carries the filters. */
export const getChanges = (query: string) => request(ChangeListSchema, `/api/v1/changes?${query}`);

export const changesQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'changes', query],
    queryFn: () => getChanges(query),
    placeholderData: keepPreviousData,
  });

export const useChanges = (query: string) => useQuery(changesQueryOptions(query));
