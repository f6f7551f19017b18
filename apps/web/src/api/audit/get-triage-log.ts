import { TriageLogPageSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request, withQuery } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';
import type { AuditLogQuery } from './audit-log-query.ts';

/** Triage decisions (ignore, handled, reopen) within the user's scope, newest first. */
export const getTriageLog = (query: AuditLogQuery) =>
  request(TriageLogPageSchema, withQuery('/api/v1/audit/triage', query));

export const triageLogQueryOptions = (query: AuditLogQuery) =>
  queryOptions({
    queryKey: [...queryRoots.audit, 'triage', query],
    queryFn: () => getTriageLog(query),
    placeholderData: keepPreviousData,
  });

export const useTriageLog = (query: AuditLogQuery) => useQuery(triageLogQueryOptions(query));
