import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GLOBAL_PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  type Role,
} from '@drydock/contract';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAccess } from '../src/auth/auth-plugin.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

/**
 * The authorization matrix, generated from the route table itself: every route × every kind of
 * caller × every spelling of its path. A route added without a declared permission fails the
 * app's start, and so this file.
 */
let t: TestApp;
let dist: string;
const ROLES: Role[] = ['admin', 'analyst', 'viewer', 'auditor'];
type Inject = FastifyInstance['inject'];
const callers: Record<string, Inject> = {};
let instanceId: string;

beforeAll(async () => {
  // The console is built here (a stand-in index.html), so the not-found handler that serves it
  // for client-side routes is part of what the path spellings meet.
  dist = await mkdtemp(path.join(os.tmpdir(), 'drydock-web-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
  t = await buildTestApp({ config: { webDist: dist } });
  const instance = await t.prisma.registryInstance.create({
    data: { name: 'scoped-instance', url: 'http://127.0.0.1:5000' },
  });
  instanceId = instance.id;
  for (const role of ROLES) {
    callers[role] = await t.as(`matrix-${role}`, role);
    callers[`scoped ${role}`] = await t.as(`matrix-scoped-${role}`, role, {
      instanceIds: [instance.id],
    });
  }
  // A token whose owner was an admin when it was made and is a viewer now.
  callers.demoted = await t.as('matrix-demoted', 'admin');
  await t.prisma.user.update({ where: { username: 'matrix-demoted' }, data: { role: 'viewer' } });
  // A token whose owner was unscoped when it was made and is scoped now.
  callers.rescoped = await t.as('matrix-rescoped', 'analyst');
  await t.prisma.user.update({
    where: { username: 'matrix-rescoped' },
    data: { instanceIds: [instance.id] },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await rm(dist, { recursive: true, force: true });
});

const anonymous = { authorization: '' };
const concrete = (url: string) =>
  url
    .replace(':id', '00000000-0000-4000-8000-000000000000')
    .replace(':sha256', 'a'.repeat(64))
    .replace(':digest', `sha256:${'b'.repeat(64)}`);
const payloadFor = (method: string) => (method === 'GET' || method === 'DELETE' ? undefined : {});

/** The spellings of a path an attacker tries: the router decodes some, refuses the others. */
function spellings(url: string): string[] {
  const rest = url.slice('/api'.length);
  return [
    `/%61pi${rest}`,
    `/%2561pi${rest}`,
    `/API${rest}`,
    `/Api${rest}`,
    `/api/${rest}`,
    `/api/.${rest}`,
    `/api/v1/../v1${rest.replace(/^\/v1/, '')}`,
    `${url}/`,
    `${url};x=1`,
    `${url}%00`,
    `//${url.slice(1)}`,
    `/%2F${url.slice(1)}`,
    `${url.replace(/\/([^/]+)$/, '/%2e%2e/$1')}`,
  ];
}

function expected(permission: Permission | undefined, caller: string): number {
  if (caller === 'demoted' || caller === 'rescoped') return 401;
  const [scoped, role] = caller.startsWith('scoped ')
    ? [true, caller.slice(7) as Role]
    : [false, caller as Role];
  const held = ROLE_PERMISSIONS[role].filter((p) => !scoped || !GLOBAL_PERMISSIONS.includes(p));
  return held.includes(permission as Permission) ? 0 : 403;
}

describe('authorization matrix', () => {
  it('answers every route as its declaration says, for every caller', async () => {
    const routes = t.app.routeTable.filter((r) => !r.public);
    expect(routes.length).toBeGreaterThan(35);
    // Every route of the API declares something; the public ones are few and known.
    const publicApi = t.app.routeTable
      .filter((r) => r.public && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(publicApi).toEqual([
      'GET /api/health',
      // Single sign-on: the identity provider vouches (sso.test.ts).
      'GET /api/v1/auth/oidc',
      'GET /api/v1/auth/oidc/callback',
      'GET /api/v1/auth/oidc/login',
      'GET /api/v1/setup',
      'POST /api/v1/auth/login',
      // Authenticated by the registry's own event secret (registry-events.test.ts).
      'POST /api/v1/registries/:id/events',
      'POST /api/v1/setup',
    ]);
    const wrong: string[] = [];
    for (const route of routes) {
      const url = concrete(route.url);
      const method = route.method as 'GET';
      const payload = payloadFor(method);
      const res = await t.app.inject({ method, url, headers: anonymous, payload });
      if (res.statusCode !== 401 || res.json().code !== 'unauthenticated') {
        wrong.push(`anonymous ${method} ${route.url}: ${res.statusCode}`);
      }
      for (const [caller, inject] of Object.entries(callers)) {
        const r = await inject({ method, url, payload });
        const want = expected(route.permission, caller);
        const got = r.statusCode;
        const ok =
          want === 0
            ? got !== 401 && !(got === 403 && r.json().code === 'forbidden') && got < 500
            : got === want;
        if (!ok) wrong.push(`${caller} ${method} ${route.url}: ${got} (want ${want || 'allowed'})`);
        if (caller === 'demoted' && got === 401) {
          expect(r.json().code).toBe('token_rejected');
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  it('never lets another spelling of a path past the route it names', async () => {
    const routes = t.app.routeTable.filter((r) => !r.public && r.url.startsWith('/api/'));
    const viewer = callers.viewer as Inject;
    const wrong: string[] = [];
    for (const route of routes) {
      const method = route.method as 'GET';
      const payload = payloadFor(method);
      for (const url of spellings(concrete(route.url))) {
        const res = await t.app.inject({ method, url, headers: anonymous, payload });
        // Either the router maps the spelling to the route (then it is guarded: 401) or to none.
        if (
          ![401, 404].includes(res.statusCode) ||
          String(res.headers['content-type'] ?? '').includes('html')
        ) {
          wrong.push(
            `anonymous ${method} ${url}: ${res.statusCode} ${res.headers['content-type']}`,
          );
        }
        if (!ROLE_PERMISSIONS.viewer.includes(route.permission as Permission)) {
          const as = await viewer({ method, url, payload });
          if (![403, 404].includes(as.statusCode)) {
            wrong.push(`viewer ${method} ${url}: ${as.statusCode}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  it('answers the probes of the report', async () => {
    const probe = async (method: 'GET' | 'POST', url: string, payload?: object) =>
      (await t.app.inject({ method, url, headers: anonymous, ...(payload ? { payload } : {}) }))
        .statusCode;
    expect(await probe('GET', '/api/v1/users')).toBe(401);
    expect(await probe('GET', '/%61pi/v1/users')).toBe(401);
    expect(await probe('GET', '/API/v1/users')).toBe(404);
    expect(await probe('GET', '/%2561pi/v1/users')).toBe(404);
    expect(await probe('GET', '/%61pi/v1/audit/security')).toBe(401);
    expect(await probe('GET', '/%61pi/v1/audit/triage')).toBe(401);
    expect(await probe('GET', '/%61pi/v1/advisories/status')).toBe(401);
    expect(await probe('POST', '/%61pi/v1/advisories/import', { source: '/etc' })).toBe(401);
    const [queued] = await t.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pgboss.job WHERE name = 'advisories.import'`;
    expect(Number(queued?.n)).toBe(0);
    // The console still answers its own deep links.
    const deep = await t.app.inject({ method: 'GET', url: '/image-security', headers: anonymous });
    expect([deep.statusCode, deep.headers['content-type']]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);
  });

  it('a scoped admin cannot manage users, tokens of others or imports, nor unscope itself', async () => {
    const scopedAdmin = callers['scoped admin'] as Inject;
    const self = await t.prisma.user.findUniqueOrThrow({
      where: { username: 'matrix-scoped-admin' },
    });
    const root = await t.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const attempts = [
      { method: 'PATCH', url: `/api/v1/users/${self.id}`, payload: { instanceIds: [] } },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'evil-admin', password: 'long enough password', role: 'admin' },
      },
      { method: 'PATCH', url: `/api/v1/users/${root.id}`, payload: { password: 'x'.repeat(20) } },
      { method: 'PATCH', url: `/api/v1/users/${root.id}`, payload: { disabled: true } },
      { method: 'POST', url: '/api/v1/advisories/import', payload: { source: '/srv/osv' } },
      { method: 'GET', url: '/api/v1/audit/security' },
      {
        method: 'POST',
        url: '/api/v1/registries',
        payload: { name: 'x', url: 'https://r.example.com' },
      },
    ] as const;
    for (const a of attempts) {
      const res = await scopedAdmin(a as never);
      expect([a.method, a.url, res.statusCode]).toEqual([a.method, a.url, 403]);
    }
    expect(await t.prisma.user.count({ where: { username: 'evil-admin' } })).toBe(0);
    // Its token list holds its own tokens only; another user's token cannot be revoked.
    const listed = (await scopedAdmin({ method: 'GET', url: '/api/v1/tokens' })).json();
    expect(new Set(listed.items.map((x: { owner: string }) => x.owner))).toEqual(
      new Set(['matrix-scoped-admin']),
    );
    const rootToken = await t.prisma.apiToken.findFirstOrThrow({ where: { userId: root.id } });
    const revoke = await scopedAdmin({ method: 'DELETE', url: `/api/v1/tokens/${rootToken.id}` });
    expect(revoke.statusCode).toBe(404);
    // Its session says what it may do: no admin, no security log.
    const session = (await scopedAdmin({ method: 'GET', url: '/api/v1/auth/session' })).json();
    expect(session.permissions).toEqual(['read', 'scan', 'triage', 'audit', 'self']);
    // An unscoped admin cannot scope (and so lock out) itself either.
    const unscope = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${root.id}`,
      payload: { instanceIds: [instanceId] },
    });
    expect(unscope.statusCode).toBe(409);
  });

  it('a demoted owner disarms its tokens at once, and restoring the role re-arms them', async () => {
    const demoted = callers.demoted as Inject;
    const res = await demoted({ method: 'GET', url: '/api/v1/summary' });
    expect([res.statusCode, res.json().code]).toEqual([401, 'token_rejected']);
    expect(res.json().detail).toContain("exceeds its owner's current role (viewer)");
    const created = await demoted({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'by-demoted', password: 'long enough password', role: 'admin' },
    });
    expect(created.statusCode).toBe(401);
    const logged = await t.prisma.securityEvent.count({
      where: { action: 'token.rejected', actor: { startsWith: 'matrix-demoted' } },
    });
    expect(logged).toBeGreaterThan(0);
    await t.prisma.user.update({ where: { username: 'matrix-demoted' }, data: { role: 'admin' } });
    expect((await demoted({ method: 'GET', url: '/api/v1/summary' })).statusCode).toBe(200);
    await t.prisma.user.update({ where: { username: 'matrix-demoted' }, data: { role: 'viewer' } });
  });

  it('refuses to start with a route that declares no permission, or a wrong one', async () => {
    await expect(
      buildTestApp({}, async (app) => {
        app.get('/api/v1/undeclared', async () => ({}));
      }),
    ).rejects.toThrow('route GET /api/v1/undeclared declares no permission');
    // Outside /api too: default deny everywhere.
    await expect(
      buildTestApp({}, async (app) => {
        app.get('/anything', async () => ({}));
      }),
    ).rejects.toThrow('route GET /anything declares no permission');
    await expect(
      buildTestApp({}, async (app) => {
        app.get('/api/v1/typo', { config: { permission: 'raed' as never } }, async () => ({}));
      }),
    ).rejects.toThrow("needs an unknown permission 'raed'");
    // A plugin's own routes, declared for it, are fine.
    const ok = await buildTestApp({}, async (app) => {
      await app.register(
        withAccess({ public: true }, async (child) => {
          child.get('/plugin-page', async () => 'hi');
        }),
      );
    });
    try {
      const res = await ok.app.inject({ method: 'GET', url: '/plugin-page', headers: anonymous });
      expect(res.body).toBe('hi');
    } finally {
      await ok.close();
    }
  });
});
