import { VERSION } from '@drydock/contract';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { withAccess } from '../auth/auth-plugin.ts';

/** OpenAPI 3 document generated from the routes' zod schemas; UI at /api/docs, JSON at /api/docs/json (public). */
async function openapi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Drydock API',
        description: 'Container image security: vulnerabilities and malicious samples.',
        version: VERSION,
      },
    },
    transform: jsonSchemaTransform,
  });
  // The document and its viewer describe the API; they carry no data.
  await app.register(
    withAccess({ public: true }, async (child) => {
      await child.register(swaggerUi, { routePrefix: '/api/docs' });
    }),
  );
}

export default fp(openapi, { name: 'openapi' });
