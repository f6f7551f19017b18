import { UserListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

export const getUsers = async () => (await request(UserListSchema, '/api/v1/users')).items;

export const usersQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.users, 'list'], queryFn: getUsers });

export const useUsers = () => useQuery(usersQueryOptions());
