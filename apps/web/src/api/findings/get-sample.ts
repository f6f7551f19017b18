import { SampleDetailSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One malicious sample's drawer, by its SHA-256. */
export const getSample = (sha256: string) =>
  request(SampleDetailSchema, `/api/v1/malicious-samples/${encodeURIComponent(sha256)}`);

export const sampleQueryOptions = (sha256: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'sample', sha256],
    queryFn: () => getSample(sha256),
  });

export const useSample = (sha256: string) => useQuery(sampleQueryOptions(sha256));
