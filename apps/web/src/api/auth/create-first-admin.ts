import { SessionInfoSchema, type SetupRequest } from '@drydock/contract';
import { useMutation } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { useSetSession } from './get-session.ts';

/** First run: the setup token creates the first administrator, who is then signed in. */
export const createFirstAdmin = (body: SetupRequest) =>
  send(SessionInfoSchema, '/api/v1/setup', 'POST', body);

export function useCreateFirstAdmin() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: createFirstAdmin, onSuccess: setSession });
}
