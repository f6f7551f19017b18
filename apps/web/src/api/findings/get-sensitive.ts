import { SensitiveDetailSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One sensitive-content row's drawer (a secret, a check or ghost content), by its id. */
export const getSensitive = (id: string) =>
  request(SensitiveDetailSchema, `/api/v1/sensitive/${encodeURIComponent(id)}`);

export const sensitiveQueryOptions = (id: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'sensitive', id],
    queryFn: () => getSensitive(id),
  });

export const useSensitive = (id: string) => useQuery(sensitiveQueryOptions(id));
