import type { Readable } from 'node:stream';
import {
  CreateScanSchema,
  ListScansQuerySchema,
  ScanCreatedSchema,
  ScanPageSchema,
  ScanRetriedSchema,
  ScanSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import { actorOf } from '../../lib/actor.ts';
import { UnsupportedMediaTypeError } from '../../lib/errors.ts';
import type { ScansService } from './scans-service.ts';

const IdParams = z.object({ id: z.uuid() }).strict();
const UPLOAD_TYPES = ['application/octet-stream', 'application/x-tar', 'application/gzip'];

export const scansRoutes: FastifyPluginAsyncZod<{ service: ScansService }> = async (
  app,
  { service },
) => {
  const tags = ['scans'];
  // Upload bodies stream to disk; they are not parsed (and not held in memory).
  app.addContentTypeParser(UPLOAD_TYPES, (_request, payload, done) => done(null, payload));

  app.post(
    '/api/v1/scans',
    {
      config: { permission: 'scan' },
      schema: {
        tags,
        operationId: 'createScan',
        summary: 'Scan Now: queue one job per image of the scope',
        body: CreateScanSchema,
        response: { 202: ScanCreatedSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await service.create(request.body, actorOf(request), principalOf(request).visible)),
  );
  app.post(
    '/api/v1/scans/upload',
    {
      config: { permission: 'scan' },
      schema: {
        tags,
        operationId: 'uploadScan',
        summary: 'Scan an uploaded image tarball (docker save / OCI archive, optionally gzipped)',
        querystring: z.object({ name: z.string().min(1).max(200) }).strict(),
        response: { 202: ScanCreatedSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw new UnsupportedMediaTypeError(`send the tarball as ${UPLOAD_TYPES.join(', ')}`);
      }
      const created = await service.upload(
        body,
        request.query.name,
        actorOf(request),
        principalOf(request).visible,
      );
      return reply.status(202).send(created);
    },
  );
  app.get(
    '/api/v1/scans',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listScans',
        querystring: ListScansQuerySchema,
        response: {
          200: ScanPageSchema,
        },
      },
    },
    async (request) =>
      service.list(request.query.page, request.query.pageSize, principalOf(request).visible),
  );
  app.get(
    '/api/v1/scans/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getScan',
        summary: 'Per-image state (queued, running, succeeded, failed + reason) and progress',
        params: IdParams,
        response: { 200: ScanSchema },
      },
    },
    async (request) => service.get(request.params.id, principalOf(request).visible),
  );
  app.post(
    '/api/v1/scans/:id/retry',
    {
      config: { permission: 'scan' },
      schema: {
        tags,
        operationId: 'retryScan',
        summary: 'Queue the failed images of a scan again',
        params: IdParams,
        response: { 202: ScanRetriedSchema },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await service.retry(request.params.id, principalOf(request).visible)),
  );
};
