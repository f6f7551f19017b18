import {
  AdvisoryImportAcceptedSchema,
  AdvisoryImportListSchema,
  AdvisoryImportRequestSchema,
  AdvisoryImportSchema,
  AdvisoryStatusSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../lib/actor.ts';
import type { AdvisoriesService } from './advisories-service.ts';

/** Advisory database status and imports (the server's `drydock db update`). */
export const advisoriesRoutes: FastifyPluginAsyncZod<{ service: AdvisoriesService }> = async (
  app,
  { service },
) => {
  app.get(
    '/api/v1/advisories/status',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['advisories'],
        operationId: 'getAdvisoryStatus',
        response: { 200: AdvisoryStatusSchema },
      },
    },
    async () => service.status(),
  );
  app.post(
    '/api/v1/advisories/import',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['advisories'],
        operationId: 'importAdvisories',
        summary:
          'Queue an import from a folder under DRYDOCK_ADVISORY_MIRRORS or an http(s) mirror (not loopback or link-local); without a source, the configured feeds (OSV, KEV, CVE records); changed advisories re-match every scanned image',
        body: AdvisoryImportRequestSchema,
        response: { 202: AdvisoryImportAcceptedSchema },
      },
    },
    async (request, reply) => {
      const accepted = await service.queueImport(request.body.source, {
        name: actorOf(request),
        ip: request.ip,
      });
      await app.audit(request, 'advisories.import', request.body.source ?? 'configured feeds');
      return reply.status(202).send(accepted);
    },
  );
  app.get(
    '/api/v1/advisories/imports',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['advisories'],
        operationId: 'listAdvisoryImports',
        summary:
          'The newest 20 imports (manual and scheduled): state, per-ecosystem counts, reason',
        response: { 200: AdvisoryImportListSchema },
      },
    },
    async () => ({ items: await service.imports() }),
  );
  app.get(
    '/api/v1/advisories/imports/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['advisories'],
        operationId: 'getAdvisoryImport',
        params: z.object({ id: z.uuid() }).strict(),
        response: { 200: AdvisoryImportSchema },
      },
    },
    async (request) => service.importById(request.params.id),
  );
};
