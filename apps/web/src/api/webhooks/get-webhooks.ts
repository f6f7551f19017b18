import { WebhookDeliveryPageSchema, WebhookListSchema } from '@drydock/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

/** Outbound webhooks, each with its latest delivery (administrators). */
export const getWebhooks = async () => (await request(WebhookListSchema, '/api/v1/webhooks')).items;

export const webhooksQueryOptions = () =>
  queryOptions({ queryKey: [...queryRoots.webhooks, 'list'], queryFn: getWebhooks });

/** Refreshed while a latest delivery is still being sent. */
export const useWebhooks = () =>
  useQuery({
    ...webhooksQueryOptions(),
    refetchInterval: (query) =>
      query.state.data?.some(
        (h) => h.lastDelivery?.status === 'pending' || h.lastDelivery?.status === 'retrying',
      )
        ? 2000
        : false,
  });

/** A webhook's deliveries, newest first; refreshed while some are still being sent. */
export const useWebhookDeliveries = (id: string) =>
  useQuery({
    queryKey: [...queryRoots.webhooks, 'deliveries', id],
    queryFn: () =>
      request(
        WebhookDeliveryPageSchema,
        `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries?pageSize=20`,
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((d) => d.status === 'pending' || d.status === 'retrying')
        ? 2000
        : false,
  });
