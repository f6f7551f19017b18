import { type TriageKind, type TriageRequest, TriageResultSchema } from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

const BASE: Record<TriageKind, string> = {
  vulnerability: '/api/v1/vulnerabilities',
  sample: '/api/v1/malicious-samples',
  sensitive: '/api/v1/sensitive',
};

/** Ignore, mark handled or reopen one finding (a vulnerability, a sample, sensitive content). */
export const triageFinding = (kind: TriageKind, id: string, body: TriageRequest) =>
  send(TriageResultSchema, `${BASE[kind]}/${encodeURIComponent(id)}/triage`, 'POST', body);

export function useTriageFinding(kind: TriageKind, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TriageRequest) => triageFinding(kind, id, body),
    // Lists, counts and drawers all change with a finding's status.
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.findings }),
  });
}
