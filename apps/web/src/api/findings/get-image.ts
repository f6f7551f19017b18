import { ImageRowSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** One image by digest, with its open counts. */
export const getImage = (digest: string) =>
  request(ImageRowSchema, `/api/v1/images/${encodeURIComponent(digest)}`);

export const imageQueryOptions = (digest: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'image', digest],
    queryFn: () => getImage(digest),
  });

export const useImage = (digest: string) => useQuery(imageQueryOptions(digest));
