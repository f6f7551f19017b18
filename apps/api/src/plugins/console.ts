import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withAccess } from '../auth/auth-plugin.ts';
import { sendRouteNotFound } from './problem-details.ts';

/**
 * The path the router would see, for telling API paths from console paths: percent-decoded
 * (repeatedly, so `%2561` counts as `a`), case-folded, duplicate slashes collapsed.
 */
function apiLike(request: FastifyRequest): boolean {
  let p = request.url.split('?')[0] ?? '/';
  for (let i = 0; i < 3 && p.includes('%'); i++) {
    try {
      p = decodeURIComponent(p);
    } catch {
      break;
    }
  }
  return /^\/+api(?:[/;.]|$)/i.test(p);
}

/**
 * Owns the not-found handler. Serves the built console (apps/web/dist) at `/`: its files are
 * public and not rate limited. Client-side routes (`/image-security/...`) get index.html so deep
 * links and reloads work; anything that looks like an API path stays a problem+json 404.
 */
async function consolePlugin(app: FastifyInstance, opts: { webDist?: string }): Promise<void> {
  const root = opts.webDist ? path.resolve(opts.webDist) : undefined;
  if (!root || !existsSync(path.join(root, 'index.html'))) {
    if (root) app.log.warn({ root }, 'console not built: run `pnpm --filter @drydock/web build`');
    app.setNotFoundHandler(sendRouteNotFound);
    return;
  }
  await app.register(
    withAccess({ public: true, rateLimited: false }, async (child) => {
      await child.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
    }),
  );
  const index = readFileSync(path.join(root, 'index.html'));
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && !apiLike(request) && !path.extname(pathname)) {
      return reply.type('text/html; charset=utf-8').send(index);
    }
    return sendRouteNotFound(request, reply);
  });
}

export default fp(consolePlugin, { name: 'console', dependencies: ['problem-details'] });
