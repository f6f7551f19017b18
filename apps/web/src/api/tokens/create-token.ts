import { ApiTokenCreatedSchema, type CreateApiToken } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The answer carries the token itself, shown once. */
export const createToken = (body: CreateApiToken) =>
  send(ApiTokenCreatedSchema, '/api/v1/tokens', 'POST', body);

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createToken,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.tokens }),
  });
}
