import { type CreateRegistry, RegistryTestResultSchema } from '@drydock/contract';
import { useMutation } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';

export type ConnectionToTest = Pick<CreateRegistry, 'url' | 'credentials'>;

/** Checks a registry URL and credentials before saving them. */
export const testConnection = (body: ConnectionToTest) =>
  send(RegistryTestResultSchema, '/api/v1/registries/test-connection', 'POST', body);

export const useTestConnection = () => useMutation({ mutationFn: testConnection });
