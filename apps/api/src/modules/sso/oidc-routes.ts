import { SsoStatusSchema } from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readCookie, setSessionCookie } from '../../auth/auth-plugin.ts';
import { AppError } from '../../lib/errors.ts';
import { SESSION_HOURS } from '../accounts/session-service.ts';
import { type OidcService, SsoError } from './oidc-service.ts';

const BINDING_COOKIE = 'drydock_oidc';
const PATH = '/api/v1/auth/oidc';

/**
 * Single sign-on routes. They are public: the identity provider vouches for the user. The
 * binding cookie is SameSite=Lax because the provider sends the browser back with a cross-site
 * top-level GET (Strict would leave it behind); it only names a pending sign-in, for 10 minutes.
 */
export const oidcRoutes: FastifyPluginAsyncZod<{ service: OidcService | undefined }> = async (
  app,
  { service },
) => {
  const tags = ['auth'];
  const origin = (request: { protocol: string; host: string }) =>
    `${request.protocol}://${request.host}`;
  const needService = () => {
    if (!service) throw new AppError(404, 'sso_off', 'single sign-on is not configured');
    return service;
  };
  app.get(
    PATH,
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'ssoStatus',
        summary: 'Whether single sign-on is on (the sign-in page offers it)',
        response: { 200: SsoStatusSchema },
      },
    },
    async () => ({ enabled: Boolean(service), label: service?.label ?? null }),
  );
  app.get(
    `${PATH}/login`,
    {
      config: { public: true },
      schema: { tags, operationId: 'ssoLogin', summary: 'Go to the identity provider' },
    },
    async (request, reply) => {
      const started = await needService().start(origin(request));
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${BINDING_COOKIE}=${started.binding}; Path=${PATH}; HttpOnly; SameSite=Lax; Max-Age=600${secure}`,
      );
      return reply.redirect(started.url, 302);
    },
  );
  app.get(
    `${PATH}/callback`,
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'ssoCallback',
        summary: 'The identity provider sends the browser back here',
        querystring: z.record(z.string(), z.string()),
      },
    },
    async (request, reply) => {
      const sso = needService();
      reply.header(
        'set-cookie',
        `${BINDING_COOKIE}=; Path=${PATH}; HttpOnly; SameSite=Lax; Max-Age=0`,
      );
      try {
        const opened = await sso.finish(
          new URL(request.url, origin(request)),
          readCookie(request, BINDING_COOKIE),
          request.ip,
          origin(request),
        );
        setSessionCookie(request, reply, opened.cookie, SESSION_HOURS * 3600);
        return reply.redirect('/', 302);
      } catch (error) {
        if (!(error instanceof SsoError)) throw error;
        request.log.warn({ code: error.code, reason: error.message }, 'single sign-on refused');
        return reply.redirect(`/?sso_error=${encodeURIComponent(error.code)}`, 302);
      }
    },
  );
};
