import { createHmac } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importAdvisories } from '@drydock/advisories';
import { WebhookPayloadSchema } from '@drydock/contract';
import { PgAdvisoryStore } from '@drydock/db';
import { toCycloneDx } from '@drydock/sbom';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait.ts';
import { createAdvisoryImportHandler } from '../../worker/src/jobs/advisory-import.ts';
import type { RunningWorker } from '../../worker/src/worker.ts';
import { buildTestApp, startTestWorker, type TestApp } from './helpers/build-test-app.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback: records every request; `failFirst` answers 500 that often. */
async function startReceiver() {
  const received: Received[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const left = failures.get(path) ?? 0;
      if (left > 0) {
        failures.set(path, left - 1);
        res.writeHead(500).end('not now');
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    failFirst: (path: string, n: number) => failures.set(path, n),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('outbound webhooks: signed, scoped, retried, recorded, re-deliverable', () => {
  let t: TestApp;
  let worker: RunningWorker;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await buildTestApp();
    await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv', 'npm'));
    worker = await startTestWorker(t);
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    await receiver?.close();
  });

  const create = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload });
  const deliveries = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries` })).json()
      .items as { id: string; status: string; attempts: number; event: string }[];
  const settled = (id: string, n = 1) =>
    waitFor(
      async () => {
        const list = await deliveries(id);
        return list.length >= n &&
          list.every((d) => d.status === 'succeeded' || d.status === 'failed')
          ? list
          : undefined;
      },
      90_000,
      'deliveries settled',
    );
  const verify = (r: Received, secret: string) => {
    const ts = String(r.headers['x-drydock-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
    expect(r.headers['x-drydock-signature']).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(120);
  };

  it('administrators only; private targets need allowPrivate; the secret is shown once and sealed', async () => {
    const analyst = await t.as('ana-hooks', 'analyst');
    const denied = await analyst({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { url: 'https://hooks.example.com/x' },
    });
    expect(denied.statusCode).toBe(403);
    for (const url of [
      receiver.url('/a'),
      'http://localhost:9/x',
      'http://169.254.169.254/latest',
    ]) {
      const refused = await create({ url });
      expect([url, refused.statusCode, refused.json().code]).toEqual([url, 422, 'private_address']);
    }
    expect((await create({ url: 'ftp://example.com/x' })).statusCode).toBe(400);
    expect((await create({ url: 'https://user:pw@example.com/x' })).statusCode).toBe(400);
    const made = await create({ url: receiver.url('/a'), allowPrivate: true, name: 'chat' });
    expect(made.statusCode).toBe(201);
    const { secret, id } = made.json();
    expect(secret).toMatch(/^whsec_/);
    const row = await t.prisma.webhook.findUniqueOrThrow({ where: { id } });
    expect(row.secretSealed).not.toContain(secret);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/webhooks' });
    expect(listed.body).not.toContain(secret);
    expect(listed.json().items[0]).toMatchObject({ id, name: 'chat', events: [], enabled: true });
    // Turning allowPrivate off for a private target is refused the same way.
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${id}`,
      payload: { allowPrivate: false },
    });
    expect(off.statusCode).toBe(422);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}` });
  });

  it('a ping is signed over <timestamp>.<body> and follows the versioned payload schema', async () => {
    const made = await create({
      url: receiver.url('/ping'),
      allowPrivate: true,
      secret: 'a-shared-secret-of-16+',
    });
    const { id } = made.json();
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test` })).statusCode,
    ).toBe(202);
    const [delivery] = await settled(id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      event: 'ping',
      responseCode: 204,
    });
    const got = receiver.at('/ping');
    expect(got).toHaveLength(1);
    verify(got[0] as Received, 'a-shared-secret-of-16+');
    expect(got[0]?.headers['x-drydock-event']).toBe('ping');
    expect(got[0]?.headers['x-drydock-delivery']).toBe(delivery?.id);
    const payload = WebhookPayloadSchema.parse(JSON.parse(got[0]?.body ?? ''));
    expect(payload).toMatchObject({ schemaVersion: 1, event: 'ping', data: { webhookId: id } });
  });

  it('a failing receiver is retried with backoff; every attempt recorded; re-delivery sends the same event again', async () => {
    receiver.failFirst('/flaky', 2);
    const { id } = (await create({ url: receiver.url('/flaky'), allowPrivate: true })).json();
    await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test` });
    const [delivery] = await settled(id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, responseCode: 204 });
    expect(receiver.at('/flaky').map((r) => r.headers['x-drydock-delivery'])).toEqual([
      delivery?.id,
      delivery?.id,
      delivery?.id,
    ]);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${id}/deliveries/${delivery?.id}/redeliver`,
    });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ redeliveryOf: delivery?.id, status: 'pending' });
    await settled(id, 2);
    const bodies = receiver.at('/flaky').map((r) => JSON.parse(r.body).id);
    expect(new Set(bodies).size).toBe(1);
    expect(receiver.at('/flaky')).toHaveLength(4);
  }, 120_000);

  it('a target the egress rules refuse at delivery time fails at once, nothing is sent', async () => {
    // As if the name had been re-pointed at loopback after the check (DNS rebinding).
    const { id } = (await create({ url: receiver.url('/rebound'), allowPrivate: true })).json();
    await t.prisma.webhook.update({ where: { id }, data: { allowPrivate: false } });
    await t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test` });
    const [delivery] = await settled(id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect((delivery as unknown as { error: string }).error).toMatch(/loopback/);
    expect(receiver.at('/rebound')).toHaveLength(0);
  });

  it('scans send scan.finished, finding.new_high and sample.new_urgent to the webhooks that want them; Slack gets text', async () => {
    const all = (await create({ url: receiver.url('/all'), allowPrivate: true })).json();
    const slack = (
      await create({
        url: receiver.url('/slack'),
        allowPrivate: true,
        format: 'slack',
        events: ['finding.new_high'],
      })
    ).json();
    // Scoped to a registry instance: uploaded images belong to none, so it hears nothing.
    const instance = await t.prisma.registryInstance.create({
      data: { name: 'elsewhere', url: 'https://registry.example.com' },
    });
    const scoped = (
      await create({
        url: receiver.url('/scoped'),
        allowPrivate: true,
        scope: { instanceIds: [instance.id] },
      })
    ).json();
    for (const image of ['debian12-node-app.tar', 'malware-samples.tar']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/scans/upload?name=${image}`,
        headers: { 'content-type': 'application/octet-stream' },
        payload: createReadStream(shared('images', image)),
      });
      expect(res.statusCode).toBe(202);
    }
    const events = await waitFor(
      async () => {
        const got = receiver.at('/all').map((r) => WebhookPayloadSchema.parse(JSON.parse(r.body)));
        const names = got.map((p) => p.event);
        return names.filter((n) => n === 'scan.finished').length === 2 &&
          names.includes('finding.new_high') &&
          names.includes('sample.new_urgent')
          ? got
          : undefined;
      },
      120_000,
      'scan events',
    );
    for (const r of receiver.at('/all')) verify(r, all.secret);
    const nodeApp = await t.prisma.image.findFirstOrThrow({
      where: { name: 'debian12-node-app.tar' },
    });
    const finished = events.find(
      (e) =>
        e.event === 'scan.finished' &&
        (e.data as { image: { id: string } }).image.id === nodeApp.id,
    );
    const open = await t.prisma.finding.count({ where: { imageId: nodeApp.id, status: 'open' } });
    expect(finished?.data).toMatchObject({
      image: { name: 'debian12-node-app.tar', digest: nodeApp.digest, registryId: null },
      findings: { opened: open, stillOpen: 0, resolved: 0 },
    });
    const high = events.find((e) => e.event === 'finding.new_high');
    const highCount = await t.prisma.finding.count({
      where: { imageId: nodeApp.id, status: 'open', priority: 'high' },
    });
    expect(highCount).toBeGreaterThan(0);
    expect(high?.data).toMatchObject({ total: highCount });
    const urgent = events.find((e) => e.event === 'sample.new_urgent');
    expect((urgent?.data as { total: number } | undefined)?.total).toBeGreaterThan(0);

    const text = await waitFor(
      async () => receiver.at('/slack')[0]?.body,
      30_000,
      'the Slack delivery',
    );
    expect(JSON.parse(text)).toEqual({
      text: expect.stringMatching(
        new RegExp(
          `^Drydock: ${highCount} new high-priority vulnerabilities in debian12-node-app\\.tar: CVE-`,
        ),
      ),
    });
    expect(receiver.at('/slack')).toHaveLength(1);
    expect((await settled(slack.id)).map((d) => d.event)).toEqual(['finding.new_high']);
    expect(await deliveries(scoped.id)).toEqual([]);
  }, 180_000);

  it('advisory imports send advisories.imported; kev.added names the CVEs that joined the KEV catalog', async () => {
    const hook = (
      await create({
        url: receiver.url('/advisories'),
        allowPrivate: true,
        events: ['advisories.imported', 'kev.added'],
      })
    ).json();
    // An earlier catalog held one entry; the shared catalog brings the rest.
    await t.prisma.knownExploited.create({ data: { cveId: 'CVE-1999-0001' } });
    const catalog = JSON.parse(
      readFileSync(shared('advisories', 'kev', 'known_exploited_vulnerabilities.json'), 'utf8'),
    ) as { vulnerabilities: { cveID: string }[] };
    const handler = createAdvisoryImportHandler({
      prisma: t.prisma,
      queue: t.queue,
      policy: { roots: [shared('advisories')] },
    });
    const source = shared('advisories', 'kev', 'known_exploited_vulnerabilities.json');
    await handler({ source });
    const got = await waitFor(
      async () => {
        const list = receiver.at('/advisories').map((r) => {
          verify(r, hook.secret);
          return WebhookPayloadSchema.parse(JSON.parse(r.body));
        });
        return list.length === 2 ? list : undefined;
      },
      60_000,
      'advisory events',
    );
    const imported = got.find((e) => e.event === 'advisories.imported');
    expect(imported?.data).toMatchObject({ source, added: 0, updated: 0 });
    const kev = got.find((e) => e.event === 'kev.added')?.data as { total: number; cves: string[] };
    const expected = [...new Set(catalog.vulnerabilities.map((v) => v.cveID))].sort();
    expect(kev.total).toBe(expected.length);
    expect(kev.cves).toEqual(expected.slice(0, 500));
  }, 120_000);

  it('scans stored by the API (CLI pushes, SBOM imports) send scan.finished too', async () => {
    const hook = (
      await create({
        url: receiver.url('/api-scans'),
        allowPrivate: true,
        events: ['scan.finished'],
      })
    ).json();
    const { report } = await scanImage(shared('images', 'go-binaries.tar'));
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sboms?name=sbom/go:1',
      headers: { 'content-type': 'application/json' },
      payload: toCycloneDx(report),
    });
    expect(imported.statusCode).toBe(201);
    const [got] = await waitFor(
      async () => (receiver.at('/api-scans').length ? receiver.at('/api-scans') : undefined),
      30_000,
      'the scan.finished of an SBOM import',
    );
    verify(got as Received, hook.secret);
    const payload = WebhookPayloadSchema.parse(JSON.parse(got?.body ?? ''));
    const job = await t.prisma.scanJob.findFirstOrThrow({ where: { kind: 'sbom' } });
    expect(payload).toMatchObject({
      event: 'scan.finished',
      data: { scanJobId: job.id, image: { name: 'sbom/go:1', registryId: null } },
    });
  });
});
