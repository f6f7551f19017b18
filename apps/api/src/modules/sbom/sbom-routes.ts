import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { SbomService } from './sbom-service.ts';

/** SBOM downloads of the images the principal may see. */
export const sbomRoutes: FastifyPluginAsyncZod<{ service: SbomService }> = async (
  app,
  { service },
) => {
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
      return reply
        .type(sbom.contentType)
        .header('content-disposition', `attachment; filename="${sbom.filename}"`)
        .send(sbom.body);
    },
  );
};
