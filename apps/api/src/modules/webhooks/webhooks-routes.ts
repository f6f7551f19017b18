import {
  CreateWebhookSchema,
  PageQuerySchema,
  UpdateWebhookSchema,
  WebhookCreatedSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliverySchema,
  WebhookListSchema,
  WebhookSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../lib/actor.ts';
import type { WebhooksService } from './webhooks-service.ts';

const IdParams = z.object({ id: z.uuid() }).strict();

/** Settings → Notifications: outbound webhooks and their deliveries (administrators). */
export const webhooksRoutes: FastifyPluginAsyncZod<{ service: WebhooksService }> = async (
  app,
  { service },
) => {
  const tags = ['webhooks'];
  app.get(
    '/api/v1/webhooks',
    {
      config: { permission: 'admin' },
      schema: { tags, operationId: 'listWebhooks', response: { 200: WebhookListSchema } },
    },
    async () => ({ items: await service.list() }),
  );
  app.post(
    '/api/v1/webhooks',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'A webhook; its signing secret is in this answer only',
        body: CreateWebhookSchema,
        response: { 201: WebhookCreatedSchema },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, actorOf(request));
      await app.audit(request, 'webhook.create', created.id, { url: created.url });
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'getWebhook',
        params: IdParams,
        response: { 200: WebhookSchema },
      },
    },
    async (request) => service.get(request.params.id),
  );
  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'updateWebhook',
        params: IdParams,
        body: UpdateWebhookSchema,
        response: { 200: WebhookSchema },
      },
    },
    async (request) => {
      const updated = await service.update(request.params.id, request.body);
      await app.audit(request, 'webhook.update', request.params.id, {
        fields: Object.keys(request.body),
      });
      return updated;
    },
  );
  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'admin' },
      schema: { tags, operationId: 'deleteWebhook', params: IdParams },
    },
    async (request, reply) => {
      await service.remove(request.params.id);
      await app.audit(request, 'webhook.delete', request.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/webhooks/:id/test',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'testWebhook',
        summary: 'Send a ping event to this webhook',
        params: IdParams,
      },
    },
    async (request, reply) => {
      await service.test(request.params.id);
      return reply.status(202).send();
    },
  );
  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        params: IdParams,
        querystring: PageQuerySchema,
        response: { 200: WebhookDeliveryPageSchema },
      },
    },
    async (request) =>
      service.deliveries(request.params.id, request.query.page, request.query.pageSize),
  );
  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'redeliverWebhook',
        summary: 'Send a delivery again (same payload and event id)',
        params: z.object({ id: z.uuid(), deliveryId: z.uuid() }).strict(),
        response: { 202: WebhookDeliverySchema },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await service.redeliver(request.params.id, request.params.deliveryId)),
  );
};
