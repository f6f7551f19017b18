import { TrendSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request, withQuery } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Open findings per day over the last `days` days. */
export const getTrend = (days: number) =>
  request(TrendSchema, withQuery('/api/v1/summary/trend', { days }));

export const trendQueryOptions = (days: number) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'trend', days],
    queryFn: () => getTrend(days),
  });

export const useTrend = (days = 30) => useQuery(trendQueryOptions(days));
