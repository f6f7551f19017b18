import { FixPlanSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The fix plan for the current scope filters (`query`: category, instance, namespace…). */
export const getFixPlan = (query: string) => request(FixPlanSchema, `/api/v1/fix-plan?${query}`);

export const fixPlanQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'fix-plan', query],
    queryFn: () => getFixPlan(query),
    placeholderData: keepPreviousData,
  });

export const useFixPlan = (query: string) => useQuery(fixPlanQueryOptions(query));
