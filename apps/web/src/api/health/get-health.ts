import { HealthSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Health answers 503 with a body while something is down: that is still an answer. */
export const getHealth = () => request(HealthSchema, '/api/health', { acceptStatuses: [503] });

export const healthQueryOptions = () =>
  queryOptions({ queryKey: queryRoots.health, queryFn: getHealth, refetchInterval: 15_000 });

export const useHealth = () => useQuery(healthQueryOptions());
