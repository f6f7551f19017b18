import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

export const revokeToken = (id: string) =>
  send(undefined, `/api/v1/tokens/${encodeURIComponent(id)}`, 'DELETE');

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.tokens }),
  });
}
