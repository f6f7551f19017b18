import { type CreateUser, UserSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

export const createUser = (body: CreateUser) => send(UserSchema, '/api/v1/users', 'POST', body);

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.users }),
  });
}
