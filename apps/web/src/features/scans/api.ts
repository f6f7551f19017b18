import {
  type CreateScan,
  ScanCreatedSchema,
  ScanSchema,
  ScanSummarySchema,
} from '@drydock/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { request, send, withQuery } from '../../lib/api-client.ts';

const ScanPageSchema = z.object({
  items: z.array(ScanSummarySchema),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
});

export const isActive = (status: string) => status === 'queued' || status === 'running';

export function useScan(id: string, poll = true) {
  return useQuery({
    queryKey: ['scan', id],
    queryFn: () => request(ScanSchema, `/api/v1/scans/${id}`),
    refetchInterval: (q) =>
      poll && (!q.state.data || isActive(q.state.data.status)) ? 1000 : false,
  });
}

export function useScans(page: number) {
  return useQuery({
    queryKey: ['scans', page],
    queryFn: () => request(ScanPageSchema, withQuery('/api/v1/scans', { page, pageSize: 20 })),
    refetchInterval: (q) => (q.state.data?.items.some((s) => isActive(s.status)) ? 2000 : false),
  });
}

export function useStartScan() {
  return useMutation({
    mutationFn: (body: CreateScan) => send(ScanCreatedSchema, '/api/v1/scans', 'POST', body),
  });
}

/** The tarball types the API takes; anything else (e.g. .tar with no type) goes as bytes. */
const UPLOAD_TYPES = new Set(['application/x-tar', 'application/gzip']);

/** Uploads an image tarball (docker save / OCI archive, optionally gzipped) to be scanned. */
export function useUploadScan() {
  return useMutation({
    mutationFn: (file: File) => {
      const body = UPLOAD_TYPES.has(file.type)
        ? file
        : new Blob([file], { type: 'application/octet-stream' });
      // The name is kept within what the API accepts (letters, digits and ._-:@/+).
      const name = file.name.replace(/[^\w.@:/+-]/g, '_').slice(0, 200) || 'upload.tar';
      return send(ScanCreatedSchema, withQuery('/api/v1/scans/upload', { name }), 'POST', body);
    },
  });
}

export function useRetryScan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      send(
        z.object({ retried: z.number(), joined: z.number() }),
        `/api/v1/scans/${id}/retry`,
        'POST',
      ),
    onSuccess: (_d, id) => client.invalidateQueries({ queryKey: ['scan', id] }),
  });
}

/** Everything that shows findings: refreshed as scan results land. */
export const FINDINGS_QUERY_KEYS = [
  ['summary'],
  ['trend'],
  ['vulns'],
  ['vuln'],
  ['vuln-images'],
  ['samples'],
  ['sample'],
  ['images'],
  ['image'],
  ['registries'],
  ['scans'],
];
