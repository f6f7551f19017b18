import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { MetricsService } from './metrics-service.ts';

/**
 * `GET /metrics` (Prometheus text format) for a bearer API token with the `metrics` permission
 * (admins and auditors, unscoped: the figures are fleet-wide), and the HTTP request histogram,
 * observed for every route of the app (hence fastify-plugin: the hook is not encapsulated).
 */
const metricsPlugin: FastifyPluginAsync<{ service: MetricsService }> = async (app, { service }) => {
  app.addHook('onResponse', async (request, reply) => {
    service.observeRequest(
      request.method,
      request.is404 ? '(unmatched)' : (request.routeOptions.url ?? '(unmatched)'),
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    {
      config: { permission: 'metrics' },
      schema: { hide: true },
    },
    async (_request, reply) => reply.type(service.contentType).send(await service.scrape()),
  );
};

export const metricsRoutes = fp(metricsPlugin, { name: 'drydock-metrics' });
