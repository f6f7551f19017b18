import { ImageListSchema } from '@drydock/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Scanned images with their open counts; `query` carries page and filters. */
export const getImages = (query: string) => request(ImageListSchema, `/api/v1/images?${query}`);

export const imagesQueryOptions = (query: string) =>
  queryOptions({
    queryKey: [...queryRoots.findings, 'images', query],
    queryFn: () => getImages(query),
    placeholderData: keepPreviousData,
  });

export const useImages = (query: string) => useQuery(imagesQueryOptions(query));
