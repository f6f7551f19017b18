import { SummarySchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Open findings by tab and priority, and when the last scan finished. */
export const getSummary = () => request(SummarySchema, '/api/v1/summary');

export const summaryQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.findings, 'summary'], queryFn: getSummary });

export const useSummary = () => useQuery(summaryQueryOptions());
