import { type UpdateUser, UserSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Role, scope, password, disabled: every change ends the user's sessions. */
export const updateUser = (id: string, body: UpdateUser) =>
  send(UserSchema, `/api/v1/users/${encodeURIComponent(id)}`, 'PATCH', body);

export function useUpdateUser(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateUser) => updateUser(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.users }),
  });
}
