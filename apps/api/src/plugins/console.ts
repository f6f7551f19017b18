import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendRouteNotFound } from './problem-details.ts';

/**
 * Owns the not-found handler. Serves the built console (apps/web/dist) at `/`. Client-side routes (`/image-security/...`) get
 * index.html so deep links and reloads work; unknown `/api/*` paths stay problem+json 404s.
 */
async function consolePlugin(app: FastifyInstance, opts: { webDist?: string }): Promise<void> {
  const root = opts.webDist ? path.resolve(opts.webDist) : undefined;
  if (!root || !existsSync(path.join(root, 'index.html'))) {
    if (root) app.log.warn({ root }, 'console not built: run `pnpm --filter @drydock/web build`');
    app.setNotFoundHandler(sendRouteNotFound);
    return;
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && !pathname.startsWith('/api/') && !path.extname(pathname)) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendRouteNotFound(request, reply);
  });
}

export default fp(consolePlugin, { name: 'console', dependencies: ['problem-details'] });
