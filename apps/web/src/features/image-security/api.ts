import {
  ImageListSchema,
  SampleDetailSchema,
  SampleListSchema,
  SummarySchema,
  TrendSchema,
  type TriageKind,
  type TriageRequest,
  TriageResultSchema,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, send } from '../../lib/api-client.ts';
import { FINDINGS_QUERY_KEYS } from '../scans/api.ts';

export const useSummary = () =>
  useQuery({ queryKey: ['summary'], queryFn: () => request(SummarySchema, '/api/v1/summary') });

export const useTrend = (days = 30) =>
  useQuery({
    queryKey: ['trend', days],
    queryFn: () => request(TrendSchema, `/api/v1/summary/trend?days=${days}`),
  });

/** `query` is the list endpoint's query string, straight from the page URL's filters. */
export const useVulnerabilities = (query: string) =>
  useQuery({
    queryKey: ['vulns', query],
    queryFn: () => request(VulnerabilityListSchema, `/api/v1/vulnerabilities?${query}`),
    placeholderData: keepPreviousData,
  });

export const useVulnerability = (id: string) =>
  useQuery({
    queryKey: ['vuln', id],
    queryFn: () =>
      request(VulnerabilityDetailSchema, `/api/v1/vulnerabilities/${encodeURIComponent(id)}`),
  });

export const useAffectedImages = (id: string, query: string) =>
  useQuery({
    queryKey: ['vuln-images', id, query],
    queryFn: () =>
      request(ImageListSchema, `/api/v1/vulnerabilities/${encodeURIComponent(id)}/images?${query}`),
    placeholderData: keepPreviousData,
  });

export const useSamples = (query: string) =>
  useQuery({
    queryKey: ['samples', query],
    queryFn: () => request(SampleListSchema, `/api/v1/malicious-samples?${query}`),
    placeholderData: keepPreviousData,
  });

export const useSample = (sha256: string) =>
  useQuery({
    queryKey: ['sample', sha256],
    queryFn: () => request(SampleDetailSchema, `/api/v1/malicious-samples/${sha256}`),
  });

export function useTriage(kind: TriageKind, id: string) {
  const client = useQueryClient();
  const base = kind === 'vulnerability' ? '/api/v1/vulnerabilities' : '/api/v1/malicious-samples';
  return useMutation({
    mutationFn: (body: TriageRequest) =>
      send(TriageResultSchema, `${base}/${encodeURIComponent(id)}/triage`, 'POST', body),
    onSuccess: () => {
      for (const key of FINDINGS_QUERY_KEYS) client.invalidateQueries({ queryKey: key });
    },
  });
}
