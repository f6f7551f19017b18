import type { ScanReport } from '@drydock/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImage } from '../../../scripts/seed-lib.ts';
import { issueSetupToken } from '../src/modules/accounts/accounts-service.ts';
import { apiWithClient, buildTestApp, type TestApp } from './helpers/build-test-app.ts';
import { scanSharedImages } from './helpers/scanned-images.ts';

let t: TestApp;
const A = { name: 'registry-a', url: 'http://127.0.0.1:5000' };
const B = { name: 'registry-b', url: 'http://127.0.0.1:5001' };
let reports: Map<string, ScanReport>;
const anonymous = { authorization: '' };

beforeAll(async () => {
  t = await buildTestApp({ config: { trustProxy: 1 } });
  reports = await scanSharedImages([
    'debian12-node-app.tar',
    'alpine-311.tar.gz',
    'malware-samples.tar',
  ]);
  const node = reports.get('debian12-node-app.tar') as ScanReport;
  await seedImage(
    t.prisma,
    { instance: A, namespace: 'shop', repository: 'node-app', name: 'a/shop/node-app:1' },
    node,
  );
  await seedImage(
    t.prisma,
    { instance: B, namespace: 'ops', repository: 'node-app', name: 'b/ops/node-app:1' },
    node,
  );
  await seedImage(
    t.prisma,
    { instance: B, namespace: 'ops', repository: 'alpine', name: 'b/ops/alpine:3.11' },
    reports.get('alpine-311.tar.gz') as ScanReport,
  );
  await seedImage(
    t.prisma,
    { instance: B, namespace: 'sec', repository: 'samples', name: 'b/sec/samples:1' },
    reports.get('malware-samples.tar') as ScanReport,
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('scoped accounts', () => {
  it('see and act only within their registry instance, whatever ids they guess', async () => {
    const a = await t.prisma.registryInstance.findUniqueOrThrow({ where: { name: A.name } });
    const b = await t.prisma.registryInstance.findUniqueOrThrow({ where: { name: B.name } });
    const scoped = await t.as('scoped-analyst', 'analyst', { instanceIds: [a.id] });
    const get = async (url: string) => scoped({ method: 'GET', url });

    const images = (await get('/api/v1/images')).json();
    expect(images.items.map((i: { name: string }) => i.name)).toEqual(['a/shop/node-app:1']);
    const alpine = await t.prisma.image.findFirstOrThrow({ where: { name: 'b/ops/alpine:3.11' } });
    expect((await get(`/api/v1/images/${alpine.digest}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/registries/${b.id}`)).statusCode).toBe(404);
    expect(
      (await get('/api/v1/registries')).json().items.map((r: { name: string }) => r.name),
    ).toEqual([A.name]);
    expect((await get(`/api/v1/registries/${b.id}/namespaces`)).statusCode).toBe(404);
    expect((await get(`/api/v1/registries/${a.id}/namespaces`)).json().items).toEqual([
      { id: expect.any(String), instanceId: a.id, name: 'shop', repositories: 1, images: 1 },
    ]);

    // A vulnerability that only the alpine image of B has.
    const alpineOnly = (reports.get('alpine-311.tar.gz')?.vulnerabilities ?? []).find(
      (v) =>
        !(reports.get('debian12-node-app.tar')?.vulnerabilities ?? []).some((n) => n.id === v.id),
    );
    expect(alpineOnly).toBeDefined();
    const id = alpineOnly?.id as string;
    expect((await get(`/api/v1/vulnerabilities/${id}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/vulnerabilities/${id}/images`)).statusCode).toBe(404);
    const system = (await get('/api/v1/vulnerabilities?category=system&pageSize=200')).json();
    expect(system.items.map((v: { id: string }) => v.id)).not.toContain(id);
    const triage = await scoped({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${id}/triage`,
      payload: { action: 'ignore', reason: 'x', scope: { type: 'instance', id: b.id } },
    });
    expect(triage.statusCode).toBe(404);

    // Samples live only in B: none in lists, counts, details or exports.
    const sample = (reports.get('malware-samples.tar')?.maliciousSamples ?? [])[0]
      ?.sha256 as string;
    expect((await get(`/api/v1/malicious-samples/${sample}`)).statusCode).toBe(404);
    expect((await get('/api/v1/malicious-samples')).json().total).toBe(0);
    const summary = (await get('/api/v1/summary')).json();
    expect(summary.malicious.total).toBe(0);
    expect(summary.images).toBe(1);
    const admin = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/vulnerabilities?category=system&instanceId=${a.id}`,
      })
    ).json();
    expect(summary.system.total).toBe(admin.total);
    const csv = (await get('/api/v1/malicious-samples/export?format=csv')).body.trim().split('\n');
    expect(csv).toHaveLength(1);
    const vulnCsv = (await get('/api/v1/vulnerabilities/export?category=system&format=csv')).body;
    expect(vulnCsv).not.toContain(id);

    // Triage needs a scope inside theirs; a vulnerability both instances share is changed only in A.
    const shared = (reports.get('debian12-node-app.tar')?.vulnerabilities ?? [])[0]?.id as string;
    const unscopedIgnore = await scoped({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${shared}/triage`,
      payload: { action: 'ignore', reason: 'x' },
    });
    expect(unscopedIgnore.statusCode).toBe(403);
    const outside = await scoped({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${shared}/triage`,
      payload: { action: 'ignore', reason: 'x', scope: { type: 'instance', id: b.id } },
    });
    expect(outside.statusCode).toBe(403);
    const inside = await scoped({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${shared}/triage`,
      payload: { action: 'handle', scope: { type: 'instance', id: a.id } },
    });
    expect(inside.statusCode).toBe(200);
    const inB = await t.prisma.finding.count({
      where: { vulnerabilityId: shared, status: 'handled', image: { name: { startsWith: 'b/' } } },
    });
    expect(inB).toBe(0);

    // Scan Now reaches only their images; someone else's image id is unknown to them.
    const all = await scoped({
      method: 'POST',
      url: '/api/v1/scans',
      payload: { scope: { kind: 'all' } },
    });
    expect(all.json().images).toBe(1);
    const other = await scoped({
      method: 'POST',
      url: '/api/v1/scans',
      payload: { scope: { kind: 'images', imageIds: [alpine.id] } },
    });
    expect(other.statusCode).toBe(404);
  });
});

describe('namespace scopes and the auditor', () => {
  it('a namespace-scoped viewer sees that namespace only; the auditor reads every triage decision', async () => {
    const ops = await t.prisma.namespace.findFirstOrThrow({ where: { name: 'ops' } });
    const viewer = await t.as('ops-viewer', 'viewer', { namespaceIds: [ops.id] });
    const images = (await viewer({ method: 'GET', url: '/api/v1/images' })).json();
    expect(images.items.map((i: { name: string }) => i.name).sort()).toEqual([
      'b/ops/alpine:3.11',
      'b/ops/node-app:1',
    ]);
    expect((await viewer({ method: 'GET', url: '/api/v1/malicious-samples' })).json().total).toBe(
      0,
    );
    const registries = (await viewer({ method: 'GET', url: '/api/v1/registries' })).json();
    expect(registries.items.map((r: { name: string }) => r.name)).toEqual([B.name]);
    // Of instance B the viewer sees the namespace it is scoped to; the admin sees all of them.
    const namespacesOf = async (inject: typeof viewer) =>
      (
        await inject({ method: 'GET', url: `/api/v1/registries/${ops.instanceId}/namespaces` })
      ).json().items;
    expect(await namespacesOf(viewer)).toEqual([
      { id: ops.id, instanceId: ops.instanceId, name: 'ops', repositories: 2, images: 2 },
    ]);
    expect(
      (await namespacesOf(t.app.inject.bind(t.app) as typeof viewer)).map(
        (n: { name: string; images: number }) => `${n.name}:${n.images}`,
      ),
    ).toEqual(['ops:2', 'sec:1']);
    // Read only: no triage, no scans.
    expect(
      (await viewer({ method: 'POST', url: '/api/v1/scans', payload: { scope: { kind: 'all' } } }))
        .statusCode,
    ).toBe(403);

    const auditor = await t.as('audit-reader', 'auditor');
    const log = (await auditor({ method: 'GET', url: '/api/v1/audit/triage' })).json();
    expect(log.total).toBeGreaterThan(0);
    expect(log.items[0]).toMatchObject({
      kind: 'vulnerability',
      actor: 'scoped-analyst (token test)',
      action: 'handle',
    });
    const filtered = (
      await auditor({ method: 'GET', url: '/api/v1/audit/triage?actor=scoped&action=handle' })
    ).json();
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered.items.every((e: { action: string }) => e.action === 'handle')).toBe(true);
    const nobody = (
      await auditor({ method: 'GET', url: '/api/v1/audit/triage?actor=nobody' })
    ).json();
    expect(nobody.total).toBe(0);
    const change = await auditor({
      method: 'POST',
      url: `/api/v1/vulnerabilities/${log.items[0].targetId}/triage`,
      payload: { action: 'reopen' },
    });
    expect(change.statusCode).toBe(403);
  });
});

describe('sessions, tokens and login', () => {
  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      headers: { ...anonymous, ...headers },
    });
  const cookieOf = (res: { headers: Record<string, unknown> }) =>
    String(res.headers['set-cookie']).split(';')[0] as string;

  beforeAll(async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'carol', password: 'correct horse battery', role: 'analyst' },
    });
  });

  it('sets a strict httpOnly cookie, a new session id at every sign-in, and logout ends it', async () => {
    const planted = 'drydock_session=attacker-chosen-value';
    const before = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { ...anonymous, cookie: planted },
    });
    expect(before.statusCode).toBe(401);
    const first = await login('carol', 'correct horse battery', { cookie: planted });
    expect(first.statusCode).toBe(200);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = cookieOf(first);
    expect(cookie).not.toBe(planted);
    const second = await login('carol', 'correct horse battery');
    expect(cookieOf(second)).not.toBe(cookie);
    const session = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { ...anonymous, cookie },
    });
    expect(session.json().user).toMatchObject({ username: 'carol', role: 'analyst' });
    const { csrfToken } = session.json();
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { ...anonymous, cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    const replay = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { ...anonymous, cookie },
    });
    expect(replay.statusCode).toBe(401);
  });

  it('refuses state changes with the session cookie but without its CSRF token', async () => {
    const res = await login('carol', 'correct horse battery');
    const cookie = cookieOf(res);
    const { csrfToken } = res.json();
    const payload = { scope: { kind: 'all' } };
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: { ...anonymous, cookie },
      payload,
    });
    expect([none.statusCode, none.json().code]).toEqual([403, 'csrf_failed']);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: { ...anonymous, cookie, 'x-csrf-token': 'x'.repeat(43) },
      payload,
    });
    expect(wrong.statusCode).toBe(403);
    const right = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: { ...anonymous, cookie, 'x-csrf-token': csrfToken },
      payload,
    });
    expect(right.statusCode).toBe(202);
  });

  it('throttles brute force: after 5 failures even the right password waits', async () => {
    const headers = { 'x-forwarded-for': '10.9.9.9' };
    for (let i = 0; i < 5; i++)
      expect((await login('carol', `wrong-${i}`, headers)).statusCode).toBe(401);
    const blocked = await login('carol', 'correct horse battery', headers);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const events = await t.prisma.securityEvent.count({
      where: { actor: 'carol', action: 'login', outcome: 'failure' },
    });
    expect(events).toBeGreaterThanOrEqual(5);
    // Counted from the shared security log: a second API process on the same database agrees.
    const second = await apiWithClient(t.prisma, { trustProxy: 1 });
    try {
      const other = await second.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers,
        payload: { username: 'carol', password: 'correct horse battery' },
      });
      expect(other.statusCode).toBe(429);
    } finally {
      await second.close();
    }
  });

  it("changes one's own password with the current one; other sessions end, wrong guesses are throttled", async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'dora', password: 'first password 1', role: 'viewer' },
    });
    const laptop = await login('dora', 'first password 1');
    const phone = await login('dora', 'first password 1');
    const change = (
      res: typeof laptop,
      payload: Record<string, string>,
      headers: Record<string, string> = {},
    ) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: {
          ...anonymous,
          cookie: cookieOf(res),
          'x-csrf-token': res.json().csrfToken,
          ...headers,
        },
        payload,
      });
    // Bad input: too short, same as before.
    expect(
      (await change(laptop, { currentPassword: 'first password 1', newPassword: 'short' }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await change(laptop, {
          currentPassword: 'first password 1',
          newPassword: 'first password 1',
        })
      ).statusCode,
    ).toBe(400);
    const wrong = await change(laptop, {
      currentPassword: 'not my password',
      newPassword: 'second password 2',
    });
    expect([wrong.statusCode, wrong.json().code]).toEqual([403, 'bad_credentials']);

    const ok = await change(laptop, {
      currentPassword: 'first password 1',
      newPassword: 'second password 2',
    });
    expect(ok.statusCode).toBe(200);
    // A fresh session for this browser; the old cookies (this one's and the phone's) are dead.
    const renewed = cookieOf(ok);
    expect(renewed).not.toBe(cookieOf(laptop));
    const sessionWith = (cookie: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { ...anonymous, cookie },
      });
    expect((await sessionWith(renewed)).statusCode).toBe(200);
    expect((await sessionWith(cookieOf(laptop))).statusCode).toBe(401);
    expect((await sessionWith(cookieOf(phone))).statusCode).toBe(401);
    expect((await login('dora', 'first password 1')).statusCode).toBe(401);
    expect((await login('dora', 'second password 2')).statusCode).toBe(200);

    // An API token cannot change its owner's password.
    const token = await t.as('dora', 'viewer');
    const byToken = await token({
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: 'second password 2', newPassword: 'third password 3' },
    });
    expect(byToken.statusCode).toBe(403);

    // Guessing the current password is throttled like sign-ins (same security-log counters).
    const headers = { 'x-forwarded-for': '10.8.8.8' };
    const fresh = await login('dora', 'second password 2', headers);
    for (let i = 0; i < 5; i++) {
      const guess = await change(
        fresh,
        { currentPassword: `guess-${i}`, newPassword: 'third password 3' },
        headers,
      );
      expect(guess.statusCode).toBe(403);
    }
    const blocked = await change(
      fresh,
      { currentPassword: 'second password 2', newPassword: 'third password 3' },
      headers,
    );
    expect(blocked.statusCode).toBe(429);
    expect((await login('dora', 'second password 2', headers)).statusCode).toBe(429);
    const events = await t.prisma.securityEvent.findMany({
      where: { actor: 'dora', action: 'password.change' },
      select: { outcome: true },
    });
    expect(events.filter((e) => e.outcome === 'success')).toHaveLength(1);
    expect(events.filter((e) => e.outcome === 'failure')).toHaveLength(6);
  });

  it('a revoked token stops working at once; tokens never exceed their creator', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'ci', role: 'analyst' },
    });
    // Tokens cannot mint tokens (the admin here acts through one).
    expect(res.statusCode).toBe(403);
    const session = await login('carol', 'correct horse battery', {
      'x-forwarded-for': '10.1.1.1',
    });
    const headers = {
      ...anonymous,
      cookie: cookieOf(session),
      'x-csrf-token': session.json().csrfToken,
    };
    const tooMuch = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'x', role: 'admin' },
    });
    expect(tooMuch.statusCode).toBe(403);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'ci', role: 'viewer' },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^ddk_/);
    const stored = await t.prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).not.toContain(token);
    const use = () =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/summary',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await use()).statusCode).toBe(200);
    // Viewer token: read only.
    const scan = await t.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: { authorization: `Bearer ${token}` },
      payload: { scope: { kind: 'all' } },
    });
    expect(scan.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers })).statusCode,
    ).toBe(204);
    expect((await use()).statusCode).toBe(401);
  });

  it('keeps an audit log the auditor can read and nobody can change', async () => {
    const auditor = await t.as('audrey', 'auditor');
    const log = (
      await auditor({ method: 'GET', url: '/api/v1/audit/security?pageSize=200' })
    ).json();
    const actions = new Set(log.items.map((e: { action: string }) => e.action));
    for (const a of ['login', 'logout', 'token.create', 'token.revoke', 'user.create', 'access'])
      expect(actions).toContain(a);
    // Filters: actor (substring, any case), action prefix, outcome, time range.
    const query = async (q: string) =>
      (await auditor({ method: 'GET', url: `/api/v1/audit/security?${q}` })).json();
    const carolFailures = await query('actor=CAROL&action=login&outcome=failure');
    expect(carolFailures.total).toBeGreaterThanOrEqual(5);
    expect(
      carolFailures.items.every(
        (e: { actor: string; action: string; outcome: string }) =>
          e.actor === 'carol' && e.action === 'login' && e.outcome === 'failure',
      ),
    ).toBe(true);
    const userChanges = await query('action=user.');
    expect(new Set(userChanges.items.map((e: { action: string }) => e.action))).toEqual(
      new Set(['user.create']),
    );
    expect(userChanges.items[0].detail).toMatchObject({ role: expect.any(String) });
    expect((await query(`since=${new Date(Date.now() + 60_000).toISOString()}`)).total).toBe(0);
    expect((await query('pageSize=2&page=2')).items).toHaveLength(2);
    const bad = await auditor({ method: 'GET', url: '/api/v1/audit/security?outcome=maybe' });
    expect(bad.statusCode).toBe(400);
    const viewer = await t.as('vic', 'viewer');
    expect((await viewer({ method: 'GET', url: '/api/v1/audit/security' })).statusCode).toBe(403);
    await t.prisma.$executeRaw`UPDATE security_event SET actor = 'mallory'`;
    await t.prisma.$executeRaw`DELETE FROM security_event`;
    expect(await t.prisma.securityEvent.count({ where: { actor: 'mallory' } })).toBe(0);
    expect(await t.prisma.securityEvent.count()).toBeGreaterThan(0);
  });

  it('marks the cookie Secure behind a TLS proxy, and rate-limits the API', async () => {
    const tls = await login('carol', 'correct horse battery', {
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '10.2.2.2',
    });
    expect(String(tls.headers['set-cookie'])).toMatch(/; Secure/);
    const limited = await buildTestApp({ config: { rateLimitPerMinute: 10 } });
    // A second API process on the same database: the count is shared, not per process.
    const second = await apiWithClient(limited.prisma, { rateLimitPerMinute: 10 });
    try {
      const auth = { authorization: `Bearer ${limited.adminToken}` };
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        const app = i % 2 === 0 ? limited.app : second;
        codes.push(
          (await app.inject({ method: 'GET', url: '/api/v1/summary', headers: auth })).statusCode,
        );
      }
      expect(codes.slice(0, 10).every((c) => c === 200)).toBe(true);
      expect(codes.slice(10)).toEqual([429, 429]);
      const limitedRes = await second.inject({
        method: 'GET',
        url: '/api/v1/summary',
        headers: auth,
      });
      expect(Number(limitedRes.headers['retry-after'])).toBeGreaterThan(0);
      // Another client has its own allowance; the stored keys are hashes, never the token.
      const other = await limited.as('other-client', 'viewer');
      expect((await other({ method: 'GET', url: '/api/v1/summary' })).statusCode).toBe(200);
      // Made-up credentials are no credentials: they count against the address, whatever
      // they say, so a random Authorization header does not buy a fresh budget.
      const random: number[] = [];
      for (let i = 0; i < 12; i++) {
        random.push(
          (
            await limited.app.inject({
              method: 'GET',
              url: '/api/v1/summary',
              headers: { authorization: `Bearer made-up-${i}` },
            })
          ).statusCode,
        );
      }
      expect(random.slice(0, 10).every((c) => c === 401)).toBe(true);
      expect(random.slice(10)).toEqual([429, 429]);
      const cookie = await limited.app.inject({
        method: 'GET',
        url: '/api/v1/summary',
        headers: { authorization: '', cookie: 'drydock_session=made-up' },
      });
      expect(cookie.statusCode).toBe(429);
      const keys = await limited.prisma.rateLimit.findMany({ select: { key: true } });
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.some((k) => k.key.includes(limited.adminToken.slice(0, 12)))).toBe(false);
    } finally {
      await second.close();
      await limited.close();
    }
  });

  it('believes X-Forwarded-For only as far as the proxies it trusts', async () => {
    const who = async (app: Awaited<ReturnType<typeof apiWithClient>>, xff: string) => {
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-for': xff },
        payload: { username: 'ip-probe', password: 'wrong password' },
      });
      const [event] = await t.prisma.securityEvent.findMany({
        where: { actor: 'ip-probe' },
        orderBy: { id: 'desc' },
        take: 1,
      });
      return event?.ip;
    };
    // One proxy hop: the address that proxy saw (the right-most entry), not what the client wrote.
    const oneHop = await apiWithClient(t.prisma, { trustProxy: 1 });
    const byAddress = await apiWithClient(t.prisma, { trustProxy: ['10.0.0.5'] });
    const none = await apiWithClient(t.prisma, {});
    try {
      expect(await who(oneHop, '6.6.6.6, 10.3.3.3')).toBe('10.3.3.3');
      // The direct peer (127.0.0.1 here) is not the listed proxy: the header is ignored.
      expect(await who(byAddress, '6.6.6.6')).toBe('127.0.0.1');
      expect(await who(none, '6.6.6.6')).toBe('127.0.0.1');
    } finally {
      for (const app of [oneHop, byAddress, none]) await app.close();
    }
  });

  it('throttles one account guessed from many addresses', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'erin', password: 'erin password 1', role: 'viewer' },
    });
    for (let i = 0; i < 10; i++) {
      const res = await login('erin', `guess-${i}`, { 'x-forwarded-for': `10.7.0.${i}` });
      expect(res.statusCode).toBe(401);
    }
    const fresh = await login('erin', 'erin password 1', { 'x-forwarded-for': '10.7.1.1' });
    expect(fresh.statusCode).toBe(429);
  });

  it('sends security headers and a strict CSP, and never a stack trace', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { ...anonymous, 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('first run', () => {
  it('creates the first admin only with the one-time setup token', async () => {
    const fresh = await buildTestApp();
    try {
      await fresh.prisma.user.deleteMany({});
      const token = (await issueSetupToken(fresh.prisma)) as string;
      const status = await fresh.app.inject({
        method: 'GET',
        url: '/api/v1/setup',
        headers: anonymous,
      });
      expect(status.json()).toEqual({ needed: true });
      const setup = (body: object) =>
        fresh.app.inject({
          method: 'POST',
          url: '/api/v1/setup',
          headers: anonymous,
          payload: body,
        });
      expect(
        (
          await setup({
            token: 'setup_wrong-token-value',
            username: 'root',
            password: 'a long enough password',
          })
        ).statusCode,
      ).toBe(403);
      expect((await setup({ token, username: 'root', password: 'short' })).statusCode).toBe(400);
      const ok = await setup({ token, username: 'root', password: 'a long enough password' });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().user).toMatchObject({ username: 'root', role: 'admin' });
      expect(ok.headers['set-cookie']).toBeDefined();
      expect(
        (await setup({ token, username: 'evil', password: 'a long enough password' })).statusCode,
      ).toBe(409);
    } finally {
      await fresh.close();
    }
  });
});
