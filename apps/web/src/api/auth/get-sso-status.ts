import { SsoStatusSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Whether the sign-in page offers single sign-on (asked only when signed out). */
export const getSsoStatus = () => request(SsoStatusSchema, '/api/v1/auth/oidc');

export const ssoStatusQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.setup, 'sso'], queryFn: getSsoStatus });

export const useSsoStatus = () => useQuery(ssoStatusQueryOptions());
