import {
  type CreateWebhook,
  type UpdateWebhook,
  WebhookCreatedSchema,
  WebhookDeliverySchema,
  WebhookSchema,
} from '@drydock/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { send } from '../../lib/api-client.ts';
import { queryRoots } from '../query-keys.ts';

const url = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

/** Every change refreshes the webhooks and their deliveries. */
function useWebhookMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: queryRoots.webhooks }),
  });
}

/** The answer carries the signing secret, shown once. */
export const useCreateWebhook = () =>
  useWebhookMutation((body: Partial<CreateWebhook> & { url: string }) =>
    send(WebhookCreatedSchema, '/api/v1/webhooks', 'POST', body),
  );

export const useUpdateWebhook = () =>
  useWebhookMutation(({ id, ...body }: UpdateWebhook & { id: string }) =>
    send(WebhookSchema, url(id), 'PATCH', body),
  );

export const useDeleteWebhook = () =>
  useWebhookMutation((id: string) => send(undefined, url(id), 'DELETE'));

/** A `ping` event to that webhook. */
export const useTestWebhook = () =>
  useWebhookMutation((id: string) => send(undefined, `${url(id)}/test`, 'POST'));

export const useRedeliver = () =>
  useWebhookMutation(({ id, deliveryId }: { id: string; deliveryId: string }) =>
    send(
      WebhookDeliverySchema,
      `${url(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
      'POST',
    ),
  );
