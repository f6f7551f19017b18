import {
  CreateRegistrySchema,
  JobAcceptedSchema,
  NamespaceListSchema,
  RegistryListSchema,
  RegistrySchema,
  RegistryTestResultSchema,
  UpdateRegistrySchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { RegistriesService } from './registries-service.ts';

const IdParams = z.object({ id: z.uuid() }).strict();

export const registriesRoutes: FastifyPluginAsyncZod<{ service: RegistriesService }> = async (
  app,
  { service },
) => {
  const tags = ['registries'];
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
