import {
  ReportPushQuerySchema,
  SbomImportedSchema,
  VexExportQuerySchema,
  VexImportedSchema,
} from '@drydock/contract';
import { MAX_SBOM_BYTES } from '@drydock/sbom';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import { actorOf } from '../../lib/actor.ts';
import type { SbomService } from './sbom-service.ts';
import type { VexService } from './vex-service.ts';

/** A generated document sent as a download. */
const download = (
  reply: FastifyReply,
  doc: { body: string; contentType: string; filename: string },
) =>
  reply
    .type(doc.contentType)
    .header('content-disposition', `attachment; filename="${doc.filename}"`)
    .send(doc.body);

/** SBOM downloads of the images the principal may see; SBOMs from other tools, read in. */
export const sbomRoutes: FastifyPluginAsyncZod<{ service: SbomService; vex: VexService }> = async (
  app,
  { service, vex },
) => {
  // The document as text (errors name its lines), for the JSON types SBOMs travel as; only in
  // this plugin's routes.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/vnd.cyclonedx+json', 'application/spdx+json'],
    { parseAs: 'string', bodyLimit: MAX_SBOM_BYTES },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/api/v1/sboms',
    {
      config: { permission: 'scan' },
      bodyLimit: MAX_SBOM_BYTES,
      schema: {
        tags: ['sbom'],
        operationId: 'importSbom',
        summary: 'Read a CycloneDX or SPDX JSON SBOM, match it, and store it like a scanned image',
        querystring: ReportPushQuerySchema,
        body: z.string().min(1).describe('A CycloneDX (1.2-1.6) or SPDX 2.x JSON document'),
        response: { 201: SbomImportedSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.importSbom(request.body, request.query.name, principalOf(request))),
  );
  app.get(
    '/api/v1/images/:id/sbom',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['sbom'],
        operationId: 'getImageSbom',
        params: z.object({ id: z.uuid() }),
        querystring: z
          .object({ format: z.enum(['cyclonedx', 'spdx']).default('cyclonedx') })
          .strict(),
      },
    },
    async (request, reply) => {
      const sbom = await service.imageSbom(
        request.params.id,
        request.query.format,
        principalOf(request).visible,
      );
      return download(reply, sbom);
    },
  );
  app.get(
    '/api/v1/vex',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['sbom'],
        operationId: 'exportVex',
        summary: 'The triage decisions (one image, or all in scope) as OpenVEX or CycloneDX VEX',
        querystring: VexExportQuerySchema,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const doc = await vex.exportVex(request.query, principal.visible, actorOf(request));
      return download(reply, doc);
    },
  );
  app.post(
    '/api/v1/vex',
    {
      config: { permission: 'triage' },
      bodyLimit: MAX_SBOM_BYTES,
      schema: {
        tags: ['sbom'],
        operationId: 'importVex',
        summary: 'Apply an OpenVEX, CycloneDX VEX or CSAF VEX document as triage decisions',
        body: z.string().min(1).describe('An OpenVEX, CycloneDX VEX or CSAF 2.0 VEX JSON document'),
        response: { 200: VexImportedSchema },
      },
    },
    async (request) => vex.importVex(request.body, actorOf(request), principalOf(request).visible),
  );
};
