import { type SessionInfo, SessionInfoSchema } from '@drydock/contract';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, request, setCsrfToken } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The signed-in session, or null when nobody is signed in. */
export async function getSession(): Promise<SessionInfo | null> {
  try {
    const session = await request(SessionInfoSchema, '/api/v1/auth/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export const sessionQueryOptions = () =>
  queryOptions({ queryKey: queryRoots.session, queryFn: getSession, staleTime: 60_000 });

export const useSessionQuery = () => useQuery(sessionQueryOptions());

/** After a sign-in, setup or password change: the new session (and its CSRF token) is current. */
export function useSetSession() {
  const client = useQueryClient();
  return (info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    client.setQueryData(sessionQueryOptions().queryKey, info);
  };
}
