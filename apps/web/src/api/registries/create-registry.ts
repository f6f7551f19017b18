import { type CreateRegistry, RegistrySchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

export type NewRegistry = Partial<CreateRegistry> & Pick<CreateRegistry, 'name' | 'url'>;

export const createRegistry = (body: NewRegistry) =>
  send(RegistrySchema, '/api/v1/registries', 'POST', body);

export function useCreateRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createRegistry,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.registries }),
  });
}
