import { ReportPushedSchema, ReportPushQuerySchema, ScanReportSchema } from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { ReportsService } from './reports-service.ts';

/**
 * A pipeline's scan result (`drydock scan … --server URL --token T`): the inventory and malware
 * found by the CLI are stored like an uploaded image's; vulnerabilities are matched again with the
 * server's advisory database so every finding in the console comes from one source.
 */
export const reportsRoutes: FastifyPluginAsyncZod<{ service: ReportsService }> = async (
  app,
  { service },
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
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.push(request.body, request.query.name, principalOf(request))),
  );
};
