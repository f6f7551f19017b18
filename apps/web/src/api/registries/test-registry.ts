import { RegistryTestResultSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Checks a saved registry's connection and credentials (its status is updated). */
export const testRegistry = (id: string) =>
  send(RegistryTestResultSchema, `/api/v1/registries/${encodeURIComponent(id)}/test`, 'POST');

export function useTestRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: testRegistry,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.registries }),
  });
}
