import { SensitiveListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** `query` is the list endpoint's query string, straight from the page URL's filters. */
export const getSensitiveList = (query: string) =>
  request(SensitiveListSchema, `/api/v1/sensitive?${query}`);

export const sensitiveListQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'sensitive-list', query],
    queryFn: () => getSensitiveList(query),
    placeholderData: keepPreviousData,
  });

export const useSensitiveList = (query: string) => useQuery(sensitiveListQueryOptions(query));
