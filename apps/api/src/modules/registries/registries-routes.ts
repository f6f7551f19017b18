import {
  CreateRegistrySchema,
  RegistrySchema,
  RegistryTestResultSchema,
  UpdateRegistrySchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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
      schema: {
        tags,
        operationId: 'listRegistries',
        response: { 200: z.object({ items: z.array(RegistrySchema) }) },
      },
    },
    async () => ({ items: await service.list() }),
  );
  app.post(
    '/api/v1/registries',
    {
      schema: {
        tags,
        operationId: 'createRegistry',
        summary: 'Add a registry instance (credentials are stored encrypted, never returned)',
        body: CreateRegistrySchema,
        response: { 201: RegistrySchema },
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(request.body)),
  );
  app.post(
    '/api/v1/registries/test-connection',
    {
      schema: {
        tags,
        operationId: 'testRegistryConnection',
        summary: 'Test a URL and credentials before saving them',
        body: CreateRegistrySchema.pick({ url: true, credentials: true }).strict(),
        response: { 200: RegistryTestResultSchema },
      },
    },
    async (request) => service.testUnsaved(request.body),
  );
  app.get(
    '/api/v1/registries/:id',
    {
      schema: {
        tags,
        operationId: 'getRegistry',
        params: IdParams,
        response: { 200: RegistrySchema },
      },
    },
    async (request) => service.get(request.params.id),
  );
  app.patch(
    '/api/v1/registries/:id',
    {
      schema: {
        tags,
        operationId: 'updateRegistry',
        params: IdParams,
        body: UpdateRegistrySchema,
        response: { 200: RegistrySchema },
      },
    },
    async (request) => service.update(request.params.id, request.body),
  );
  app.delete(
    '/api/v1/registries/:id',
    {
      schema: { tags, operationId: 'deleteRegistry', params: IdParams },
    },
    async (request, reply) => {
      await service.remove(request.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/registries/:id/test',
    {
      schema: {
        tags,
        operationId: 'testRegistry',
        params: IdParams,
        response: { 200: RegistryTestResultSchema },
      },
    },
    async (request) => service.test(request.params.id),
  );
  app.post(
    '/api/v1/registries/:id/sync',
    {
      schema: {
        tags,
        operationId: 'syncRegistry',
        summary: 'Walk the catalog into repositories and images (asynchronous)',
        params: IdParams,
        response: { 202: z.object({ jobId: z.string() }) },
      },
    },
    async (request, reply) => reply.status(202).send(await service.sync(request.params.id)),
  );
};
