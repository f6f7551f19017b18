import { SessionInfoSchema } from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type TestOidcProvider } from '../../../test/support/oidc.ts';
import { freePort } from '../../../test/support/registry.ts';
import { hashPassword } from '../src/auth/credentials.ts';
import { parseOidcRules } from '../src/modules/sso/oidc-config.ts';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

describe('single sign-on with OpenID Connect against a real provider (oidc-provider on loopback)', () => {
  let t: TestApp;
  let op: TestOidcProvider;
  let shopNamespaceId: string;
  const callback = 'http://127.0.0.1:9/api/v1/auth/oidc/callback';

  beforeAll(async () => {
    op = await startOidcProvider({
      redirectUris: [callback],
      port: await freePort(),
      accounts: {
        alice: { groups: ['staff', 'drydock-admins'] },
        bob: { groups: ['shop-team'] },
        mallory: { groups: ['staff'] },
        carol: { groups: ['drydock-admins'] },
      },
    });
    t = await buildTestApp({
      config: {
        oidc: {
          issuer: op.issuer,
          clientId: op.clientId,
          clientSecret: op.clientSecret,
          redirectUrl: callback,
          scopes: 'openid profile email groups',
          label: 'Example SSO',
          rules: parseOidcRules(
            'groups:drydock-admins=admin; groups:shop-team=analyst@local/shop; groups:readers=viewer',
          ),
        },
      },
    });
    const instance = await t.prisma.registryInstance.create({
      data: { name: 'local', url: 'https://registry.example.com' },
    });
    shopNamespaceId = (
      await t.prisma.namespace.create({ data: { instanceId: instance.id, name: 'shop' } })
    ).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await op?.stop();
  });

  const anonymous = { authorization: '' };
  const cookieOf = (res: { headers: Record<string, unknown> }, name: string) => {
    const list = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string) ?? []);
    const found = list.find((c) => c.startsWith(`${name}=`));
    return found
      ? { raw: found, value: found.split(';')[0]?.slice(name.length + 1) ?? '' }
      : undefined;
  };

  /** The browser's trip: Drydock → provider (sign in as `login`) → Drydock's callback. */
  async function signIn(login: string) {
    const start = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/login',
      headers: anonymous,
    });
    expect(start.statusCode).toBe(302);
    const binding = cookieOf(start, 'drydock_oidc');
    const back = new URL(await op.signIn(String(start.headers.location), login));
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    const res = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { ...anonymous, cookie: `drydock_oidc=${binding?.value}` },
    });
    return { start, binding, back, res };
  }
  const session = async (cookie: string) =>
    SessionInfoSchema.parse(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/auth/session',
          headers: { ...anonymous, cookie: `drydock_session=${cookie}` },
        })
      ).json(),
    );

  it('offers SSO; the authorization request uses PKCE (S256), state and nonce, bound to the browser', async () => {
    const status = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc',
      headers: anonymous,
    });
    expect(status.json()).toEqual({ enabled: true, label: 'Example SSO' });
    const start = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/login',
      headers: anonymous,
    });
    const url = new URL(String(start.headers.location));
    expect(`${url.origin}${url.pathname}`).toBe(`${op.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe(callback);
    expect(cookieOf(start, 'drydock_oidc')?.raw).toMatch(/HttpOnly; SameSite=Lax; Max-Age=600/);
  });

  it('an admin group signs in as admin: the account is made on first sign-in', async () => {
    const { res } = await signIn('alice');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    const cookie = cookieOf(res, 'drydock_session');
    expect(cookie?.raw).toMatch(/HttpOnly; SameSite=Strict/);
    const info = await session(cookie?.value ?? '');
    expect(info.user).toMatchObject({
      username: 'alice',
      role: 'admin',
      instanceIds: [],
      namespaceIds: [],
      sso: true,
    });
    const row = await t.prisma.user.findUniqueOrThrow({ where: { username: 'alice' } });
    expect(row).toMatchObject({ oidcIssuer: op.issuer, oidcSubject: 'alice' });
    // SSO accounts have no password at Drydock.
    const local = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: anonymous,
      payload: { username: 'alice', password: 'any password at all' },
    });
    expect(local.statusCode).toBe(401);
  });

  it('a group mapped to a scoped role gets that role and scope; the provider decides at every sign-in', async () => {
    const first = await signIn('bob');
    const bob = await session(cookieOf(first.res, 'drydock_session')?.value ?? '');
    expect(bob.user).toMatchObject({
      role: 'analyst',
      instanceIds: [],
      namespaceIds: [shopNamespaceId],
    });
    expect(bob.permissions).not.toContain('admin');
    op.accounts.set('bob', { groups: ['readers'] });
    const again = await signIn('bob');
    const demoted = await session(cookieOf(again.res, 'drydock_session')?.value ?? '');
    expect(demoted.user).toMatchObject({ username: 'bob', role: 'viewer', namespaceIds: [] });
    expect(await t.prisma.user.count({ where: { oidcSubject: 'bob' } })).toBe(1);
  });

  it('nobody gets in by default: no matching group, no account, no session; the refusal is logged', async () => {
    const { res } = await signIn('mallory');
    expect(res.headers.location).toBe('/?sso_error=sso_no_role');
    expect(cookieOf(res, 'drydock_session')).toBeUndefined();
    expect(await t.prisma.user.findUnique({ where: { username: 'mallory' } })).toBeNull();
    const logged = await t.prisma.securityEvent.findFirst({
      where: { actor: 'mallory', action: 'login' },
    });
    expect(logged).toMatchObject({ outcome: 'denied' });
  });

  it('a callback without the browser binding, or replayed, is refused', async () => {
    const start = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/login',
      headers: anonymous,
    });
    const back = new URL(await op.signIn(String(start.headers.location), 'alice'));
    // Sent to someone else's browser (login CSRF): no binding cookie.
    const foreign = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: anonymous,
    });
    expect(foreign.headers.location).toBe('/?sso_error=sso_expired');
    // A state that is not the one this browser started.
    const other = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/login',
      headers: anonymous,
    });
    const mixed = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { ...anonymous, cookie: `drydock_oidc=${cookieOf(other, 'drydock_oidc')?.value}` },
    });
    expect(mixed.headers.location).toBe('/?sso_error=sso_failed');
    expect(cookieOf(mixed, 'drydock_session')).toBeUndefined();
    // The pending sign-in is used once.
    const { binding, back: good, res } = await signIn('alice');
    expect(res.headers.location).toBe('/');
    const replay = await t.app.inject({
      method: 'GET',
      url: `${good.pathname}${good.search}`,
      headers: { ...anonymous, cookie: `drydock_oidc=${binding?.value}` },
    });
    expect(replay.headers.location).toBe('/?sso_error=sso_expired');
  });

  it('never takes over a local account of the same name; local sign-in (break-glass) still works', async () => {
    await t.prisma.user.create({
      data: {
        username: 'carol',
        passwordHash: await hashPassword('carol local password'),
        role: 'viewer',
      },
    });
    const { res } = await signIn('carol');
    const info = await session(cookieOf(res, 'drydock_session')?.value ?? '');
    expect(info.user.username).toMatch(/^carol-[0-9a-f]{6}$/);
    expect(info.user.role).toBe('admin');
    const local = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: anonymous,
      payload: { username: 'carol', password: 'carol local password' },
    });
    expect(local.statusCode).toBe(200);
    expect(local.json().user).toMatchObject({ username: 'carol', role: 'viewer' });
  });
});
