import {
  CreateRegistrySchema,
  JobAcceptedSchema,
  NamespaceListSchema,
  RegistryEventSecretSchema,
  RegistryEventsAcceptedSchema,
  RegistryListSchema,
  RegistrySchema,
  RegistryTestResultSchema,
  UpdateRegistrySchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { RegistriesService } from './registries-service.ts';
import { eventSecretOf, type RegistryEventsService } from './registry-events-service.ts';

const IdParams = z.object({ id: z.uuid() }).strict();

export const registriesRoutes: FastifyPluginAsyncZod<{
  service: RegistriesService;
  events: RegistryEventsService;
}> = async (app, { service, events }) => {
  const tags = ['registries'];
  // Docker Distribution sends its notifications with their own JSON media type.
  app.addContentTypeParser(
    'application/vnd.docker.distribution.events.v1+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.post(
    '/api/v1/registries/:id/events',
    {
      // The registry is not a user: its per-registry secret authenticates it (checked inside).
      config: { public: true },
      schema: {
        tags,
        operationId: 'acceptRegistryEvents',
        summary:
          'Push notifications from the registry (Docker Distribution, GitLab, Harbor): pushed tags are scanned',
        params: IdParams,
        body: z.unknown(),
        response: { 202: RegistryEventsAcceptedSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await events.accept(request.params.id, eventSecretOf(request.headers), request.body)),
  );
  app.post(
    '/api/v1/registries/:id/event-secret',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'setRegistryEventSecret',
        summary: 'A new push-event secret (shown once; the previous one stops working)',
        params: IdParams,
        response: { 201: RegistryEventSecretSchema },
      },
    },
    async (request, reply) => {
      const host = request.host;
      const endpoint = `${request.protocol}://${host}/api/v1/registries/${request.params.id}/events`;
      const secret = await events.setSecret(
        request.params.id,
        endpoint,
        principalOf(request).visible,
      );
      await app.audit(request, 'registry.events', request.params.id, { enabled: true });
      return reply.status(201).send(secret);
    },
  );
  app.delete(
    '/api/v1/registries/:id/event-secret',
    {
      config: { permission: 'admin' },
      schema: { tags, operationId: 'disableRegistryEvents', params: IdParams },
    },
    async (request, reply) => {
      await events.disable(request.params.id, principalOf(request).visible);
      await app.audit(request, 'registry.events', request.params.id, { enabled: false });
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/v1/registries',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listRegistries',
        response: { 200: RegistryListSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request).visible) }),
  );
  app.get(
    '/api/v1/registries/:id/namespaces',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listNamespaces',
        summary: 'Namespaces (repository path prefixes) of an instance, with counts',
        params: IdParams,
        response: { 200: NamespaceListSchema },
      },
    },
    async (request) => ({
      items: await service.namespaces(request.params.id, principalOf(request).visible),
    }),
  );
  app.post(
    '/api/v1/registries',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'createRegistry',
        summary: 'Add a registry instance (credentials are stored encrypted, never returned)',
        body: CreateRegistrySchema,
        response: { 201: RegistrySchema },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, principalOf(request).visible);
      await app.audit(request, 'registry.create', `${created.name} (${created.id})`);
      return reply.status(201).send(created);
    },
  );
  app.post(
    '/api/v1/registries/test-connection',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'testRegistryConnection',
        summary: 'Test a URL and credentials before saving them',
        body: CreateRegistrySchema.pick({ url: true, credentials: true }).strict(),
        response: { 200: RegistryTestResultSchema },
      },
    },
    async (request) => service.testUnsaved(request.body, principalOf(request).visible),
  );
  app.get(
    '/api/v1/registries/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getRegistry',
        params: IdParams,
        response: { 200: RegistrySchema },
      },
    },
    async (request) => service.get(request.params.id, principalOf(request).visible),
  );
  app.patch(
    '/api/v1/registries/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'updateRegistry',
        params: IdParams,
        body: UpdateRegistrySchema,
        response: { 200: RegistrySchema },
      },
    },
    async (request) => {
      const updated = await service.update(
        request.params.id,
        request.body,
        principalOf(request).visible,
      );
      await app.audit(request, 'registry.update', `${updated.name} (${updated.id})`, {
        fields: Object.keys(request.body),
      });
      return updated;
    },
  );
  app.delete(
    '/api/v1/registries/:id',
    {
      config: { permission: 'admin' },
      schema: { tags, operationId: 'deleteRegistry', params: IdParams },
    },
    async (request, reply) => {
      await service.remove(request.params.id, principalOf(request).visible);
      await app.audit(request, 'registry.delete', request.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/registries/:id/test',
    {
      config: { permission: 'scan' },
      schema: {
        tags,
        operationId: 'testRegistry',
        params: IdParams,
        response: { 200: RegistryTestResultSchema },
      },
    },
    async (request) => service.test(request.params.id, principalOf(request).visible),
  );
  app.post(
    '/api/v1/registries/:id/sync',
    {
      config: { permission: 'scan' },
      schema: {
        tags,
        operationId: 'syncRegistry',
        summary: 'Walk the catalog into repositories and images (asynchronous)',
        params: IdParams,
        response: { 202: JobAcceptedSchema },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await service.sync(request.params.id, principalOf(request).visible)),
  );
};
