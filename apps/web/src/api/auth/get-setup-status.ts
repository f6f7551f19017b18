import { SetupStatusSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Whether the first administrator still has to be created (asked only when signed out). */
export const getSetupStatus = () => request(SetupStatusSchema, '/api/v1/setup');

export const setupStatusQueryOptions = () =>
  queryOptions({ queryKey: queryRoots.setup, queryFn: getSetupStatus });

export const useSetupStatus = (enabled: boolean) =>
  useQuery({ ...setupStatusQueryOptions(), enabled });
