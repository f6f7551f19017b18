import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send, setCsrfToken } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';
import { sessionQueryOptions } from './get-session.ts';

export const logout = () => send(undefined, '/api/v1/auth/logout', 'POST');

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      setCsrfToken('');
      // Signed out: the session query says so, and nothing of the last user's data stays cached.
      client.setQueryData(sessionQueryOptions().queryKey, null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== queryRoots.session[0] });
    },
  });
}
