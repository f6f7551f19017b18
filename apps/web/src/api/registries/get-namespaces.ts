import { NamespaceListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One registry instance's namespaces. */
export const getNamespaces = async (instanceId: string) =>
  (
    await request(
      NamespaceListSchema,
      `/api/v1/registries/${encodeURIComponent(instanceId)}/namespaces`,
    )
  ).items;

export const namespacesQueryOptions = (instanceId: string) =>
  queryOptions({
    queryKey: [...queryRoots.registries, instanceId, 'namespaces'],
    queryFn: () => getNamespaces(instanceId),
  });

export const useNamespaces = (instanceId: string) => useQuery(namespacesQueryOptions(instanceId));
