import { VulnerabilityListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** `query` is the list endpoint's query string, straight from the page URL's filters. */
export const getVulnerabilities = (query: string) =>
  request(VulnerabilityListSchema, `/api/v1/vulnerabilities?${query}`);

export const vulnerabilitiesQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'vulnerabilities', query],
    queryFn: () => getVulnerabilities(query),
    placeholderData: keepPreviousData,
  });

export const useVulnerabilities = (query: string) => useQuery(vulnerabilitiesQueryOptions(query));
