import { SampleListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** `query` is the list endpoint's query string, straight from the page URL's filters. */
export const getSamples = (query: string) =>
  request(SampleListSchema, `/api/v1/malicious-samples?${query}`);

export const samplesQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'samples', query],
    queryFn: () => getSamples(query),
    placeholderData: keepPreviousData,
  });

export const useSamples = (query: string) => useQuery(samplesQueryOptions(query));
