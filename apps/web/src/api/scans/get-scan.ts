import { ScanSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';
import { isActive } from './is-active.ts';

/** One scan with the state of each of its images. */
export const getScan = (id: string) =>
  request(ScanSchema, `/api/v1/scans/${encodeURIComponent(id)}`);

/** Polled every second while the scan runs (`poll` false: once). */
export const scanQueryOptions = (id: string, poll = true) =>
  queryOptions({
    queryKey: [...queryRoots.scans, 'detail', id],
    queryFn: () => getScan(id),
    refetchInterval: (q) =>
      poll && (!q.state.data || isActive(q.state.data.status)) ? 1000 : false,
  });

export const useScan = (id: string, poll = true) => useQuery(scanQueryOptions(id, poll));
