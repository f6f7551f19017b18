import { type ChangePassword, SessionInfoSchema } from '@drydock/contract';
import { useMutation } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { useSetSession } from './get-session.ts';

/** One's own password; the answer is a fresh session (the others end). */
export const changePassword = (body: ChangePassword) =>
  send(SessionInfoSchema, '/api/v1/auth/password', 'POST', body);

export function useChangePassword() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: changePassword, onSuccess: setSession });
}
