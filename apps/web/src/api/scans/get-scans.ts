import { ScanPageSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request, withQuery } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';
import { isActive } from './is-active.ts';

const PAGE_SIZE = 20;

/** Scans, newest first, a page at a time. */
export const getScans = (page: number) =>
  request(ScanPageSchema, withQuery('/api/v1/scans', { page, pageSize: PAGE_SIZE }));

/** Polled while any scan on the page is still going. */
export const scansQueryOptions = (page: number) =>
  queryOptions({
    queryKey: [...queryRoots.scans, 'list', page],
    queryFn: () => getScans(page),
    refetchInterval: (q) => (q.state.data?.items.some((s) => isActive(s.status)) ? 2000 : false),
  });

export const useScans = (page: number) => useQuery(scansQueryOptions(page));
