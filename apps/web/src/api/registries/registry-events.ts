import { RegistryEventSecretSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

const secretUrl = (id: string) => `/api/v1/registries/${encodeURIComponent(id)}/event-secret`;

/** A new push-event secret for a registry (shown once; the previous one stops working). */
export function useSetRegistryEventSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => send(RegistryEventSecretSchema, secretUrl(id), 'POST'),
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.registries }),
  });
}

/** Push events off: notifications are refused from now on. */
export function useDisableRegistryEvents() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => send(undefined, secretUrl(id), 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.registries }),
  });
}
