import { ImageListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** The images one vulnerability is found in, paged (`query` carries page and filters). */
export const getAffectedImages = (id: string, query: string) =>
  request(ImageListSchema, `/api/v1/vulnerabilities/${encodeURIComponent(id)}/images?${query}`);

export const affectedImagesQueryOptions = (id: string, query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'vulnerability', id, 'images', query],
    queryFn: () => getAffectedImages(id, query),
    placeholderData: keepPreviousData,
  });

export const useAffectedImages = (id: string, query: string) =>
  useQuery(affectedImagesQueryOptions(id, query));
