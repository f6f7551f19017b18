import { matchInventory } from '@drydock/advisories';
import { ReportPushedSchema, ReportPushQuerySchema, ScanReportSchema } from '@drydock/contract';
import { PgAdvisoryStore, type PrismaClient, persistScan } from '@drydock/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import { actorOf } from '../../lib/actor.ts';
import { ForbiddenError } from '../../lib/errors.ts';

/**
 * A pipeline's scan result (`drydock scan … --server URL --token T`): the inventory and malware
 * found by the CLI are stored like an uploaded image's; vulnerabilities are matched again with the
 * server's advisory database so every finding in the console comes from one source.
 */
export const reportsRoutes: FastifyPluginAsyncZod<{ prisma: PrismaClient }> = async (
  app,
  { prisma },
) => {
  app.post(
    '/api/v1/reports',
    {
      config: { permission: 'scan' },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['scans'],
        operationId: 'pushReport',
        summary: 'Store a CLI scan report (JSON report schema v1) as a scan',
        querystring: ReportPushQuerySchema,
        body: ScanReportSchema,
        response: { 201: ReportPushedSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.visible) {
        throw new ForbiddenError(
          'pushed images belong to no registry scope: a scoped token cannot push',
        );
      }
      const report = request.body;
      const name = request.query.name ?? report.target.repoTags[0] ?? report.target.input;
      const vulnerabilities = await matchInventory(report, new PgAdvisoryStore(prisma));
      const at = new Date();
      const stored = await persistScan(prisma, { name }, { ...report, vulnerabilities }, at);
      const scan = await prisma.scan.create({
        data: {
          scope: { kind: 'upload', name },
          trigger: 'cli',
          requestedBy: actorOf(request),
          items: {
            create: {
              scanJob: {
                create: {
                  kind: 'upload',
                  target: name,
                  imageId: stored.imageId,
                  status: 'succeeded',
                  attempts: 1,
                  startedAt: at,
                  finishedAt: at,
                  progress: { phase: 'done' },
                  result: { findings: stored.findings, samples: stored.samples },
                  worker: 'cli',
                },
              },
            },
          },
        },
      });
      const digest = report.target.manifestDigest ?? report.target.configDigest;
      return reply.status(201).send({
        scanId: scan.id,
        imageId: stored.imageId,
        url: `/images/${digest}`,
        findings: stored.findings,
        samples: stored.samples,
      });
    },
  );
};
