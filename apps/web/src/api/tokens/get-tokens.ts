import { ApiTokenListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One's own API tokens (administrators see everyone's). */
export const getTokens = async () => (await request(ApiTokenListSchema, '/api/v1/tokens')).items;

export const tokensQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.tokens, 'list'], queryFn: getTokens });

export const useTokens = () => useQuery(tokensQueryOptions());
