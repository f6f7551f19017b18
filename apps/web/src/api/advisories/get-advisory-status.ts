import { AdvisoryStatusSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** What the advisory database holds and when it was last imported. */
export const getAdvisoryStatus = () => request(AdvisoryStatusSchema, '/api/v1/advisories/status');

export const advisoryStatusQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.advisories, 'status'], queryFn: getAdvisoryStatus });

export const useAdvisoryStatus = () => useQuery(advisoryStatusQueryOptions());
