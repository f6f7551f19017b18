import {
  type CreateRegistry,
  JobAcceptedSchema,
  NamespaceListSchema,
  RegistryListSchema,
  RegistrySchema,
  RegistryTestResultSchema,
  type UpdateRegistry,
} from '@drydock/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, send } from '../../lib/api-client.ts';

export const useRegistries = () =>
  useQuery({
    queryKey: ['registries'],
    queryFn: async () => (await request(RegistryListSchema, '/api/v1/registries')).items,
  });

export const useNamespaces = (instanceId: string) =>
  useQuery({
    queryKey: ['registries', instanceId, 'namespaces'],
    queryFn: async () =>
      (await request(NamespaceListSchema, `/api/v1/registries/${instanceId}/namespaces`)).items,
  });

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['registries'] });
}

export function useCreateRegistry() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Partial<CreateRegistry> & Pick<CreateRegistry, 'name' | 'url'>) =>
      send(RegistrySchema, '/api/v1/registries', 'POST', body),
    onSuccess: invalidate,
  });
}

export function useUpdateRegistry(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: UpdateRegistry) =>
      send(RegistrySchema, `/api/v1/registries/${id}`, 'PATCH', body),
    onSuccess: invalidate,
  });
}

export function useDeleteRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => send(undefined, `/api/v1/registries/${id}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries(),
  });
}

export function useTestRegistry() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) =>
      send(RegistryTestResultSchema, `/api/v1/registries/${id}/test`, 'POST'),
    onSuccess: invalidate,
  });
}

export function useTestConnection() {
  return useMutation({
    mutationFn: (body: Pick<CreateRegistry, 'url' | 'credentials'>) =>
      send(RegistryTestResultSchema, '/api/v1/registries/test-connection', 'POST', body),
  });
}

export function useSyncRegistry() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => send(JobAcceptedSchema, `/api/v1/registries/${id}/sync`, 'POST'),
    onSuccess: () => {
      // The sync runs on a worker: look again shortly for the new images.
      for (const delay of [1000, 3000, 8000]) {
        setTimeout(() => client.invalidateQueries({ queryKey: ['registries'] }), delay);
      }
    },
  });
}
