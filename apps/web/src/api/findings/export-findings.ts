import type { TriageKind } from '@drydock/contract';
import { withQuery } from '../../lib/api-client.ts';

const EXPORT: Record<TriageKind, string> = {
  vulnerability: '/api/v1/vulnerabilities/export',
  sample: '/api/v1/malicious-samples/export',
  sensitive: '/api/v1/sensitive/export',
};

/** The download address of every row of a list filter (all pages), as CSV or JSON. */
export function exportUrl(
  kind: TriageKind,
  filter: Record<string, string | undefined>,
  format: 'csv' | 'json',
) {
  const { page: _page, pageSize: _size, ...rest } = filter;
  return withQuery(EXPORT[kind], { ...rest, format });
}

/** The download address of every image of an Images page filter, as CSV or JSON. */
export function imagesExportUrl(
  filter: Record<string, string | undefined>,
  format: 'csv' | 'json',
) {
  const { page: _page, pageSize: _size, ...rest } = filter;
  return withQuery('/api/v1/images/export', { ...rest, format });
}
