import { GLOBAL_PERMISSIONS, PermissionSchema, type SecurityAction } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimiter } from '../lib/rate-limit.ts';
import { sendProblem } from '../plugins/problem-details.ts';
import { digest, sameSecret } from './credentials.ts';
import {
  can,
  type Permission,
  type Principal,
  principalPermissions,
  roleWithin,
  scopeWithin,
  visibilityOf,
} from './permissions.ts';
import { securityEvent } from './security-log.ts';

/** What a route declares about its callers (its `config`). */
export interface RouteAccess {
  /** What the caller needs. Exactly one of `permission` and `public` is set. */
  permission?: Permission;
  /** Anyone may call it, signed in or not. */
  public?: boolean;
  /** `false`: not counted by the API rate limit (the console's static files). */
  rateLimited?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every route with what it requires (for the authorization test and docs). */
    routeTable: { method: string; url: string; permission?: Permission; public: boolean }[];
    /** Appends a security-relevant action by the request's principal to the security log. */
    audit(
      request: FastifyRequest,
      action: SecurityAction,
      target?: string,
      detail?: Record<string, unknown>,
    ): Promise<void>;
  }
  interface FastifyContextConfig extends RouteAccess {}
}

export const SESSION_COOKIE = 'drydock_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
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

type Identity = { principal: Principal } | { rejected: string } | undefined;

/**
 * Who calls: a bearer API token or the session cookie. A token acts with its own role and scope,
 * which must still lie within its owner's *current* role and scope (checked on every request, so
 * demoting or re-scoping a user disarms their tokens at once).
 */
async function identify(prisma: PrismaClient, request: FastifyRequest): Promise<Identity> {
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
    const owner = token.user;
    const tokenScope = visibilityOf(token);
    const ownerScope = visibilityOf(owner);
    let rejected: string | undefined;
    if (!roleWithin(token.role, owner.role)) {
      rejected = `the token's role (${token.role}) exceeds its owner's current role (${owner.role})`;
    } else if (ownerScope) {
      const namespaces = await prisma.namespace.findMany({
        where: { id: { in: tokenScope?.namespaceIds ?? [] } },
        select: { id: true, instanceId: true },
      });
      const inside = scopeWithin(
        tokenScope,
        ownerScope,
        new Map(namespaces.map((n) => [n.id, n.instanceId])),
      );
      if (!inside) rejected = "the token's scope exceeds its owner's current scope";
    }
    if (rejected) {
      await securityEvent(prisma, {
        actor: `${owner.username} (token ${token.name})`,
        action: 'token.rejected',
        outcome: 'denied',
        target: `${token.name} (${token.prefix}…)`,
        ip: request.ip,
        detail: { reason: rejected },
      });
      return { rejected: `${rejected}: it no longer works; create a new one` };
    }
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
      await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
    }
    return {
      principal: {
        kind: 'token',
        userId: token.userId,
        name: `${owner.username} (token ${token.name})`,
        role: token.role,
        visible: tokenScope,
        permissions: principalPermissions(token.role, tokenScope),
        tokenId: token.id,
      },
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
  const visible = visibilityOf(session.user);
  return {
    principal: {
      kind: 'session',
      userId: session.userId,
      name: session.user.username,
      role: session.user.role,
      visible,
      permissions: principalPermissions(session.user.role, visible),
      sessionId: session.id,
      csrfToken: session.csrfToken,
    },
  };
}

/** What a route declared, or a reason why the declaration is unusable. */
function declarationProblem(config: RouteAccess | undefined): string | undefined {
  if (!config || (!config.public && !config.permission)) return 'declares no permission';
  if (config.public && config.permission) return 'is both public and needs a permission';
  if (config.permission && !PermissionSchema.safeParse(config.permission).success) {
    return `needs an unknown permission '${config.permission}'`;
  }
  return undefined;
}

/**
 * An encapsulated context whose every route gets `access`: for plugins that register routes of
 * their own (the OpenAPI viewer, the console's static files), registered inside `body`.
 */
export function withAccess(
  access: RouteAccess,
  body: (child: FastifyInstance) => Promise<void>,
): FastifyPluginAsync {
  return async (child) => {
    child.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), ...access };
    });
    await body(child);
  };
}

/**
 * Authentication, rate limiting and authorization, decided on the **matched route** (never on
 * the raw URL, whose spelling the router normalizes): every route declares a `permission` or
 * `public: true` in its config, and the app refuses to start when one does not (default deny).
 * Per request: who calls (token or session), then the rate limit keyed on that principal (else
 * on the client address), then the route's permission, then CSRF for cookie sessions.
 */
async function authPlugin(
  app: FastifyInstance,
  { prisma, limiter }: { prisma: PrismaClient; limiter: RateLimiter },
) {
  app.decorate(
    'audit',
    async (
      request: FastifyRequest,
      action: SecurityAction,
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

  const routes: RouteOptions[] = [];
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  // Other onRoute hooks (withAccess) may still complete a declaration: judge them once all ran.
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const problems: string[] = [];
    for (const route of routes) {
      const config = route.config as RouteAccess | undefined;
      const problem = declarationProblem(config);
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (problem) problems.push(`route ${methods.join(',')} ${route.url} ${problem}`);
      for (const method of methods) {
        if (method === 'HEAD') continue;
        routeTable.push({
          method,
          url: route.url,
          public: Boolean(config?.public),
          ...(config?.permission ? { permission: config.permission } : {}),
        });
      }
    }
    if (problems.length) throw new Error(problems.join('\n'));
  });

  app.addHook('onRequest', async (request, reply) => {
    // No route matched: the not-found handler answers, and it serves nothing that needs rights.
    if (request.is404) return;
    const config = request.routeOptions.config as RouteAccess;
    if (declarationProblem(config)) {
      return sendProblem(reply, request, {
        status: 403,
        code: 'forbidden',
        detail: 'this route declares no permission',
      });
    }
    const identity = config.public ? undefined : await identify(prisma, request);
    const principal = identity && 'principal' in identity ? identity.principal : undefined;
    if (principal) request.principal = principal;

    if (config.rateLimited !== false) {
      const key = principal
        ? principal.tokenId
          ? `token:${principal.tokenId}`
          : `user:${principal.userId}`
        : `address:${request.ip}`;
      const hit = await limiter.hit(key);
      if (hit) {
        reply.header('x-ratelimit-limit', String(limiter.max));
        reply.header('x-ratelimit-remaining', String(Math.max(0, limiter.max - hit.count)));
        if (hit.count > limiter.max) {
          reply.header('retry-after', String(hit.retryAfterSeconds));
          return sendProblem(reply, request, {
            status: 429,
            code: 'rate_limited',
            detail: `more than ${limiter.max} requests a minute: try again in ${hit.retryAfterSeconds} s`,
          });
        }
      }
    }
    if (config.public) return;

    if (!principal) {
      return sendProblem(reply, request, {
        status: 401,
        code: identity && 'rejected' in identity ? 'token_rejected' : 'unauthenticated',
        detail:
          identity && 'rejected' in identity
            ? identity.rejected
            : 'sign in, or send an API token as "Authorization: Bearer <token>"',
      });
    }
    const permission = config.permission as Permission;
    if (!can(principal, permission)) {
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
        detail:
          principal.visible && GLOBAL_PERMISSIONS.includes(permission)
            ? `a scoped account may not do this (needs ${permission}, which only unscoped accounts hold)`
            : `the ${principal.role} role may not do this (needs ${permission})`,
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
