import { JobAcceptedSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Queues a sync of a registry's repositories and tags. */
export const syncRegistry = (id: string) =>
  send(JobAcceptedSchema, `/api/v1/registries/${encodeURIComponent(id)}/sync`, 'POST');

export function useSyncRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: syncRegistry,
    onSuccess: () => {
      // The sync runs on a worker: look again shortly for the new images.
      for (const delay of [1000, 3000, 8000]) {
        setTimeout(() => client.invalidateQueries({ queryKey: queryRoots.registries }), delay);
      }
    },
  });
}
