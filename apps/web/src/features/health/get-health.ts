import { HealthSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';

export const healthQueryOptions = () =>
  queryOptions({
    queryKey: ['health'],
    queryFn: () => request(HealthSchema, '/api/health', { acceptStatuses: [503] }),
    refetchInterval: 15_000,
  });

export const useHealth = () => useQuery(healthQueryOptions());
