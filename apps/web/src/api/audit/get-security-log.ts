import { SecurityLogPageSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request, withQuery } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';
import type { AuditLogQuery } from './audit-log-query.ts';

/** Security events (sign-ins, denied requests, account and registry changes), newest first. */
export const getSecurityLog = (query: AuditLogQuery) =>
  request(SecurityLogPageSchema, withQuery('/api/v1/audit/security', query));

export const securityLogQueryOptions = (query: AuditLogQuery) =>
  queryOptions({
    queryKey: [...queryRoots.audit, 'security', query],
    queryFn: () => getSecurityLog(query),
    placeholderData: keepPreviousData,
  });

export const useSecurityLog = (query: AuditLogQuery) => useQuery(securityLogQueryOptions(query));
