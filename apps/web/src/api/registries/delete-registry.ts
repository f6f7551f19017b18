import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';

export const deleteRegistry = (id: string) =>
  send(undefined, `/api/v1/registries/${encodeURIComponent(id)}`, 'DELETE');

export function useDeleteRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteRegistry,
    // Its images, findings and scans go with it: everything is refetched.
    onSuccess: () => client.invalidateQueries(),
  });
}
