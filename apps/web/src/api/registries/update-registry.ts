import { RegistrySchema, type UpdateRegistry } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

export const updateRegistry = (id: string, body: UpdateRegistry) =>
  send(RegistrySchema, `/api/v1/registries/${encodeURIComponent(id)}`, 'PATCH', body);

export function useUpdateRegistry(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateRegistry) => updateRegistry(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.registries }),
  });
}
