import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { createRegistryPushHandler } from '../../worker/src/jobs/registry-push.ts';
import type { RunningWorker } from '../../worker/src/worker.ts';
import {
  buildTestApp,
  startTestWorker,
  TEST_SECRET_KEY,
  type TestApp,
} from './helpers/build-test-app.ts';

describe('registry push events: Debian docker-registry notifies the stack, pushed tags are scanned', () => {
  let t: TestApp;
  let registry: TestRegistry;
  let worker: RunningWorker | undefined;
  let registryId: string;
  let secret: string;
  let events: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const api = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = await freePort();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries',
      payload: { name: 'pushy', url: `http://127.0.0.1:${port}` },
    });
    expect(created.statusCode).toBe(201);
    registryId = created.json().id;
    const set = await t.app.inject({
      method: 'POST',
      url: `/api/v1/registries/${registryId}/event-secret`,
      headers: { host: api.replace(/^http:\/\//, '') },
    });
    expect(set.statusCode).toBe(201);
    secret = set.json().secret;
    events = set.json().url;
    expect(events).toBe(`${api}/api/v1/registries/${registryId}/events`);
    expect(set.json().distributionConfig).toContain(`Authorization: [Bearer ${secret}]`);
    registry = await startRegistry({
      port,
      notify: { url: events, authorization: `Bearer ${secret}` },
    });
    worker = await startTestWorker(t);
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    await registry?.stop();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/registries/${registryId}/events`,
      headers: {
        'content-type': 'application/vnd.docker.distribution.events.v1+json',
        authorization: '',
        ...headers,
      },
      payload: JSON.stringify(body),
    });

  it('only the registry with its secret gets in; what is not a tag push is ignored', async () => {
    const push = {
      events: [
        {
          action: 'push',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${'a'.repeat(64)}`,
            repository: 'x/y',
            tag: '1',
          },
        },
      ],
    };
    expect((await post(push)).statusCode).toBe(401);
    expect((await post(push, { authorization: 'Bearer ddr_wrong' })).statusCode).toBe(401);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registries/00000000-0000-4000-8000-000000000000/events',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify(push),
    });
    expect(other.statusCode).toBe(401);
    const auth = { authorization: `Bearer ${secret}` };
    const junk = await post({ hello: 'world' }, auth);
    expect(junk.statusCode).toBe(422);
    expect(junk.json().code).toBe('not_a_notification');
    const mixed = await post(
      {
        events: [
          { action: 'pull', target: { ...push.events[0]?.target } },
          {
            action: 'push',
            target: {
              mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
              digest: `sha256:${'b'.repeat(64)}`,
              repository: 'x/y',
            },
          },
          { action: 'push', target: { ...push.events[0]?.target, repository: '../../etc' } },
          { action: 'push', target: { ...push.events[0]?.target, digest: 'sha256:nothex' } },
        ],
      },
      auth,
    );
    expect(mixed.statusCode).toBe(202);
    expect(mixed.json()).toEqual({ queued: 0, ignored: 4 });
    // Harbor's webhook, with the secret as Harbor sends it (the Authorization value as set).
    const harbor = await t.app.inject({
      method: 'POST',
      url: `/api/v1/registries/${registryId}/events`,
      headers: { authorization: secret, 'content-type': 'application/json' },
      payload: JSON.stringify({
        type: 'PULL_ARTIFACT',
        event_data: {
          resources: [{ digest: `sha256:${'c'.repeat(64)}`, tag: 'v1' }],
          repository: { repo_full_name: 'lib/app' },
        },
      }),
    });
    expect(harbor.json()).toEqual({ queued: 0, ignored: 1 });
  });

  it('a tag pushed with skopeo is scanned within seconds, without a sync', async () => {
    const pushed = Date.now();
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'tools/go:1');
    const job = await waitFor(
      async () =>
        (await t.prisma.scanJob.findFirst({
          where: { status: 'succeeded', items: { some: { scan: { trigger: 'push' } } } },
          include: { image: true, items: { include: { scan: true } } },
        })) ?? undefined,
      60_000,
      'a scan triggered by the push',
    );
    expect(job.image?.name).toBe(`${registry.host}/tools/go:1`);
    expect(job.items[0]?.scan.requestedBy).toBe('registry pushy');
    // Queued within seconds of the push (the registry notifies, the worker reads the tag).
    expect(job.createdAt.getTime() - pushed).toBeLessThan(15_000);
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/registries/${registryId}` });
    expect(listed.json()).toMatchObject({ eventsEnabled: true, lastEventAt: expect.any(String) });
  });

  it('the same push notified twice is one scan: the second joins the queued one', async () => {
    // No worker: the scan stays queued while the notification is handled again.
    await worker?.stop();
    worker = undefined;
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/app:2',
    );
    const digest = await (async () => {
      const res = await fetch(`${registry.url}/v2/shop/app/manifests/2`, {
        method: 'HEAD',
        headers: {
          accept:
            'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        },
      });
      return res.headers.get('docker-content-digest') as string;
    })();
    const handler = createRegistryPushHandler({
      prisma: t.prisma,
      queue: t.queue,
      secretKey: TEST_SECRET_KEY,
    });
    const job = { instanceId: registryId, repository: 'shop/app', digests: [digest] };
    const first = await handler(job);
    const second = await handler(job);
    expect(first.images).toBe(1);
    expect(second).toMatchObject({ images: 1, joined: 1 });
    const jobs = await t.prisma.scanJob.findMany({
      where: { image: { digest }, status: { in: ['queued', 'running'] } },
    });
    expect(jobs).toHaveLength(1);
  });
});
