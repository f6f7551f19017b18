import { RegistryListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The registry instances the user may see, with their sync state and image counts. */
export const getRegistries = async () =>
  (await request(RegistryListSchema, '/api/v1/registries')).items;

export const registriesQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.registries, 'list'], queryFn: getRegistries });

export const useRegistries = () => useQuery(registriesQueryOptions());
