import { type LoginRequest, SessionInfoSchema } from '@drydock/contract';
import { useMutation } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { useSetSession } from './get-session.ts';

export const login = (body: LoginRequest) =>
  send(SessionInfoSchema, '/api/v1/auth/login', 'POST', body);

export function useLogin() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: login, onSuccess: setSession });
}
