import type { PrismaClient } from '@drydock/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sendProblem } from '../plugins/problem-details.ts';
import { digest, sameSecret } from './credentials.ts';
import { can, type Permission, type Principal, visibilityOf } from './permissions.ts';
import { securityEvent } from './security-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every /api route with what it requires (for the authorization test and docs). */
    apiRoutes: { method: string; url: string; permission?: Permission; public: boolean }[];
    /** Appends a security-relevant action by the request's principal to the security log. */
    audit(
      request: FastifyRequest,
      action: string,
      target?: string,
      detail?: Record<string, unknown>,
    ): Promise<void>;
  }
  interface FastifyContextConfig {
    /** What the caller needs; every /api route declares it or is `public`. */
    permission?: Permission;
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'drydock_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Session cookie: httpOnly, SameSite=Strict, Secure when the request came over TLS. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAge: number,
) {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
  );
}

async function resolve(
  prisma: PrismaClient,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const now = new Date();
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) {
    const token = await prisma.apiToken.findUnique({
      where: { tokenHash: digest(authorization.slice(7).trim()) },
      include: { user: true },
    });
    if (
      !token ||
      token.revokedAt ||
      (token.expiresAt && token.expiresAt <= now) ||
      token.user.disabledAt
    ) {
      return undefined;
    }
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
      await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
    }
    return {
      kind: 'token',
      userId: token.userId,
      name: `${token.user.username} (token ${token.name})`,
      role: token.role,
      visible: visibilityOf(token),
      tokenId: token.id,
    };
  }
  const cookie = readCookie(request, SESSION_COOKIE);
  if (!cookie) return undefined;
  const session = await prisma.session.findUnique({
    where: { id: digest(cookie) },
    include: { user: true },
  });
  if (!session || session.expiresAt <= now || session.user.disabledAt) return undefined;
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
    await prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  return {
    kind: 'session',
    userId: session.userId,
    name: session.user.username,
    role: session.user.role,
    visible: visibilityOf(session.user),
    sessionId: session.id,
    csrfToken: session.csrfToken,
  };
}

/**
 * Authentication and authorization for every /api route: a bearer API token or the session
 * cookie identifies the principal; the route's `permission` must be among its role's; requests
 * that change state with the session cookie must carry the session's CSRF token. A route without
 * a declared permission (and not `public`) cannot be registered.
 */
async function authPlugin(app: FastifyInstance, { prisma }: { prisma: PrismaClient }) {
  app.decorate(
    'audit',
    async (
      request: FastifyRequest,
      action: string,
      target?: string,
      detail?: Record<string, unknown>,
    ) =>
      securityEvent(prisma, {
        actor: request.principal?.name ?? 'anonymous',
        action,
        outcome: 'success',
        target: target ?? null,
        ip: request.ip,
        ...(detail ? { detail: detail as never } : {}),
      }),
  );

  const apiRoutes: FastifyInstance['apiRoutes'] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const declared = (route.config ?? {}) as { permission?: Permission; public?: boolean };
    for (const method of methods) {
      if (method === 'HEAD') continue;
      apiRoutes.push({
        method,
        url: route.url,
        public: Boolean(declared.public) || route.url.startsWith('/api/docs'),
        ...(declared.permission ? { permission: declared.permission } : {}),
      });
    }
    // The OpenAPI document and its viewer describe the API; they carry no data.
    if (route.url.startsWith('/api/docs')) {
      route.config = { ...(route.config ?? {}), public: true };
      return;
    }
    const config = (route.config ?? {}) as { permission?: Permission; public?: boolean };
    if (!config.public && !config.permission) {
      throw new Error(`route ${route.method} ${route.url} declares no permission`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config as
      | { permission?: Permission; public?: boolean }
      | undefined;
    if (!request.url.startsWith('/api/') || !config || (!config.permission && !config.public))
      return;
    const principal = await resolve(prisma, request);
    if (principal) request.principal = principal;
    if (config.public) return;
    if (!principal) {
      return sendProblem(reply, request, {
        status: 401,
        code: 'unauthenticated',
        detail: 'sign in, or send an API token as "Authorization: Bearer <token>"',
      });
    }
    const permission = config.permission as Permission;
    if (!can(principal.role, permission)) {
      await securityEvent(prisma, {
        actor: principal.name,
        action: 'access',
        outcome: 'denied',
        target: `${request.method} ${request.routeOptions.url}`,
        ip: request.ip,
      });
      return sendProblem(reply, request, {
        status: 403,
        code: 'forbidden',
        detail: `the ${principal.role} role may not do this (needs ${permission})`,
      });
    }
    if (principal.kind === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (
        typeof sent !== 'string' ||
        !principal.csrfToken ||
        !sameSecret(sent, principal.csrfToken)
      ) {
        return sendProblem(reply, request, {
          status: 403,
          code: 'csrf_failed',
          detail: 'missing or wrong x-csrf-token header for this session',
        });
      }
    }
  });
}

export default fp(authPlugin, { name: 'drydock-auth' });

/** The principal of an authenticated route (the plugin guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('no principal on an authenticated route');
  return request.principal;
}
