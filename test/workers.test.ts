import { randomUUID } from 'node:crypto';
import { importAdvisories, matchInventory } from '@drydock/advisories';
import {
  createPrismaClient,
  PgAdvisoryStore,
  type PrismaClient,
  type Queue,
  sealRegistrySecret,
  startQueue,
  startScan,
} from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRegistry } from '../apps/worker/src/jobs/registry-sync.ts';
import { startRegistry, type TestRegistry } from './support/registry.ts';
import { type SlowProxy, startSlowProxy } from './support/slow-proxy.ts';
import { waitFor } from './support/wait.ts';
import { spawnWorker, stopWorker, type WorkerProcess } from './support/worker-process.ts';

const SECRET = 'workers-test-secret-key-0123456789abcdef';

describe('worker processes sharing one Postgres', () => {
  let registry: TestRegistry;
  let proxy: SlowProxy;
  let db: TestDatabase;
  let prisma: PrismaClient;
  let queue: Queue;
  let instanceId: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/node-app:1.0',
    );
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'tools/go:1');
    await registry.push(
      `docker-archive:${shared('images', 'malware-samples.tar')}`,
      'sec/samples:1',
    );
    await registry.push(`oci:${shared('images', 'multiarch-oci')}:latest`, 'tools/multi:latest');
    // 3 MB/s between registry and workers: a 28 MB image takes seconds to pull.
    proxy = await startSlowProxy(new URL(registry.url), 3 * 1024 * 1024);
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    const store = new PgAdvisoryStore(prisma);
    for (const eco of ['Debian', 'npm', 'Go'])
      await importAdvisories(store, shared('advisories', 'osv', eco));
    queue = await startQueue(db.url);
    const credentials = registry.credentials as { username: string; password: string };
    const slowId = randomUUID();
    const instance = await prisma.registryInstance.create({
      data: {
        id: slowId,
        name: 'slow',
        url: proxy.url,
        username: credentials.username,
        secret: sealRegistrySecret(SECRET, slowId, credentials.password),
      },
    });
    instanceId = instance.id;
    await syncRegistry({ prisma, queue, secretKey: SECRET }, instanceId);
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) await stopWorker(w);
    await queue?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await proxy?.stop();
    await registry?.stop();
  });

  it('kill -9 of a worker mid-scan: the job runs again on another worker, no findings lost or duplicated', async () => {
    const a = await spawnWorker(db.url, SECRET);
    workers.push(a);
    const node = await prisma.image.findFirstOrThrow({
      where: { name: { contains: 'shop/node-app' } },
    });
    const scan = await startScan(prisma, queue, {
      scope: { kind: 'images', imageIds: [node.id] },
      trigger: 'manual',
    });
    const running = await waitFor(
      async () => {
        const j = await prisma.scanJob.findFirstOrThrow({
          where: { items: { some: { scanId: scan.id } } },
        });
        const p = j.progress as { phase?: string; layer?: number } | null;
        return j.status === 'running' && p?.phase === 'pull' && (p.layer ?? 0) >= 1 ? j : undefined;
      },
      60_000,
      'scan running on worker A',
    );
    expect(running.worker).toBe(a.id);
    a.child.kill('SIGKILL');
    await a.exited;
    // Nothing of the interrupted attempt is visible: it never reached its transaction.
    expect(await prisma.finding.count({ where: { imageId: node.id } })).toBe(0);

    const b = await spawnWorker(db.url, SECRET);
    workers.push(b);
    const done = await waitFor(
      async () => {
        const j = await prisma.scanJob.findUniqueOrThrow({ where: { id: running.id } });
        return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
      },
      90_000,
      'scan finished by worker B',
    );
    expect(done).toMatchObject({ status: 'succeeded', worker: b.id, attempts: 2, reason: null });
    const findings = await prisma.finding.count({ where: { imageId: node.id } });
    expect(findings).toBeGreaterThan(0);
    // Equal to an undisturbed run: the same image scanned and matched here, in one go.
    const { report } = await scanImage(shared('images', 'debian12-node-app.tar'));
    const undisturbed = await matchInventory(report, new PgAdvisoryStore(prisma));
    const stored = await prisma.finding.findMany({
      where: { imageId: node.id },
      select: { vulnerabilityId: true, purl: true, path: true },
    });
    const keys = (rows: { id?: string; vulnerabilityId?: string; purl: string; path: string }[]) =>
      rows.map((r) => `${r.vulnerabilityId ?? r.id}|${r.purl}|${r.path}`).sort();
    expect(keys(stored)).toEqual(keys(undisturbed));
    expect((done.result as { findings: { opened: number } }).findings.opened).toBe(findings);

    // A rescan finds exactly the same: nothing was duplicated, nothing lost.
    const again = await startScan(prisma, queue, {
      scope: { kind: 'images', imageIds: [node.id] },
      trigger: 'manual',
    });
    const second = await waitFor(
      async () => {
        const j = await prisma.scanJob.findFirstOrThrow({
          where: { items: { some: { scanId: again.id } } },
        });
        return j.status === 'succeeded' ? j : undefined;
      },
      60_000,
      'rescan',
    );
    expect(second.result).toMatchObject({
      findings: { opened: 0, stillOpen: findings, resolved: 0 },
    });
    expect(await prisma.finding.count({ where: { imageId: node.id } })).toBe(findings);
    await stopWorker(b);
  }, 240_000);

  it('two worker processes split the images of one scan', async () => {
    await prisma.analysisCache.deleteMany({});
    const [a, b] = await Promise.all([spawnWorker(db.url, SECRET), spawnWorker(db.url, SECRET)]);
    workers.push(a as WorkerProcess, b as WorkerProcess);
    const scan = await startScan(prisma, queue, {
      scope: { kind: 'instance', instanceId },
      trigger: 'manual',
    });
    expect(scan.images).toBe(5);
    const jobs = await waitFor(
      async () => {
        const all = await prisma.scanJob.findMany({
          where: { items: { some: { scanId: scan.id } } },
        });
        return all.every((j) => j.status === 'succeeded' || j.status === 'failed')
          ? all
          : undefined;
      },
      120_000,
      'scan of 5 images',
    );
    expect(jobs.map((j) => j.status)).toEqual(jobs.map(() => 'succeeded'));
    expect(new Set(jobs.map((j) => j.worker))).toEqual(new Set([a?.id, b?.id]));
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
  }, 240_000);
});
