import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { importAdvisories } from '@drydock/advisories';
import { AdvisoryDbUsedSchema } from '@drydock/contract';
import {
  createPrismaClient,
  freePort,
  PgAdvisoryStore,
  type PrismaClient,
  type Queue,
  queueAdvisoryImport,
  sealRegistrySecret,
  startQueue,
  startScan,
} from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { shared } from '@drydock/test-data';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { createImageScanHandler } from '../src/jobs/image-scan.ts';
import { analyzerVersion } from '../src/scan/analyze.ts';
import { MemoryGuard } from '../src/scan/memory-guard.ts';
import { DEFAULT_LIMITS, type RunningWorker, startWorker } from '../src/worker.ts';
import { TEST_SECRET_KEY, waitFor } from './helpers.ts';

const logger = pino({ level: 'silent' });

describe('scans through a real registry with Basic auth, pg-boss and an in-process worker', () => {
  let registry: TestRegistry;
  let db: TestDatabase;
  let prisma: PrismaClient;
  let queue: Queue;
  let worker: RunningWorker;
  let instanceId: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/node-app:1.0',
    );
    await registry.push(
      `docker-archive:${shared('images', 'malware-samples.tar')}`,
      'sec/samples:latest',
    );
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'tools/go:1');
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    // Everything but npm: npm advisories arrive later, through the import job (re-match test).
    const store = new PgAdvisoryStore(prisma);
    for (const eco of ['Debian', 'Go', 'Maven', 'PyPI']) {
      await importAdvisories(store, shared('advisories', 'osv', eco));
    }
    queue = await startQueue(db.url, { superviseIntervalSeconds: 2 });
    worker = await startWorker({
      queue,
      prisma,
      logger,
      concurrency: 2,
      secretKey: TEST_SECRET_KEY,
      advisoryMirrors: [shared('advisories')],
    });
    const credentials = registry.credentials as { username: string; password: string };
    const localId = randomUUID();
    const instance = await prisma.registryInstance.create({
      data: {
        id: localId,
        name: 'local',
        url: registry.url,
        username: credentials.username,
        secret: sealRegistrySecret(TEST_SECRET_KEY, localId, credentials.password),
      },
    });
    instanceId = instance.id;
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await queue?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await registry?.stop();
  });

  const synced = async () => {
    const before = (await prisma.registryInstance.findUniqueOrThrow({ where: { id: instanceId } }))
      .lastSyncAt;
    await queue.send('registry.sync', { instanceId, thenScan: false });
    return waitFor(
      async () => {
        const row = await prisma.registryInstance.findUniqueOrThrow({ where: { id: instanceId } });
        return row.lastSyncAt &&
          row.lastSyncAt !== before &&
          row.lastSyncAt > (before ?? new Date(0))
          ? row
          : undefined;
      },
      30_000,
      'sync',
    );
  };
  const finished = (scanId: string, timeoutMs = 120_000) =>
    waitFor(
      async () => {
        const jobs = await prisma.scanJob.findMany({ where: { items: { some: { scanId } } } });
        return jobs.length && jobs.every((j) => j.status === 'succeeded' || j.status === 'failed')
          ? jobs
          : undefined;
      },
      timeoutMs,
      'scan',
    );
  const imageOf = (path: string) =>
    prisma.image.findFirstOrThrow({
      where: { goneAt: null, name: { contains: `/${path}:` } },
      orderBy: { createdAt: 'desc' },
    });

  it('syncs the catalog into namespaces, repositories and images', async () => {
    const row = await synced();
    expect(row.lastSyncError).toBeNull();
    const images = await prisma.image.findMany({
      include: { repository: { include: { namespace: true } } },
      orderBy: { name: 'asc' },
    });
    expect(
      images.map((i) => [i.repository?.namespace.name, i.repository?.name, i.tags, i.layerCount]),
    ).toEqual([
      ['sec', 'samples', ['latest'], 7],
      ['shop', 'node-app', ['1.0'], 7],
      ['tools', 'go', ['1'], 3],
    ]);
    expect(images.every((i) => /^sha256:[0-9a-f]{64}$/.test(i.digest))).toBe(true);
  });

  it('Scan Now pulls every image, stores findings and samples, and joins repeated requests', async () => {
    const first = await startScan(prisma, queue, { scope: { kind: 'all' }, trigger: 'manual' });
    const second = await startScan(prisma, queue, {
      scope: { kind: 'instance', instanceId },
      trigger: 'manual',
    });
    expect(first).toMatchObject({ images: 3, joined: 0 });
    // Queued or running a moment ago: the second request follows the same jobs.
    expect(second.images).toBe(3);
    const jobs = await finished(first.id);
    const jobs2 = await finished(second.id);
    expect(new Set(jobs2.map((j) => j.id))).toEqual(new Set(jobs.map((j) => j.id)));
    expect(jobs.map((j) => [j.status, j.reason])).toEqual(jobs.map(() => ['succeeded', null]));
    expect(jobs.every((j) => j.cacheHit === false && Number(j.bytesPulled) > 0)).toBe(true);

    const node = await imageOf('shop/node-app');
    expect(node.analysisKey).toMatch(/^sha256:/);
    expect(node.osFamily).toBe('debian');
    // The image and its scan job record the database they were matched against: filled before
    // any import was recorded, so its own counts; the Debian packages were looked up in Debian:12.
    const held = await prisma.advisory.count();
    const used = AdvisoryDbUsedSchema.parse(node.advisoryDb);
    expect(used).toMatchObject({ records: held, knownExploited: 0, sources: [] });
    expect(used.checked).toContainEqual(
      expect.objectContaining({ label: 'Debian 12', ecosystems: ['Debian:12'] }),
    );
    expect(used.checked?.find((c) => c.label === 'npm')).toBeUndefined();
    const nodeJob = jobs.find((j) => j.imageId === node.id);
    expect(AdvisoryDbUsedSchema.parse(nodeJob?.advisoryDb)).toEqual(used);
    const system = await prisma.finding.count({ where: { imageId: node.id, category: 'system' } });
    expect(system).toBeGreaterThan(10);
    expect(node.platform).toBe('linux/amd64');
    // No npm advisories yet.
    expect(
      await prisma.finding.count({ where: { imageId: node.id, category: 'application' } }),
    ).toBe(0);
    const samples = await imageOf('sec/samples');
    const found = await prisma.sampleFinding.findMany({ where: { imageId: samples.id } });
    expect(found.length).toBe(12);
    const go = await imageOf('tools/go');
    expect(
      await prisma.finding.count({ where: { imageId: go.id, category: 'application' } }),
    ).toBeGreaterThan(0);
  }, 180_000);

  it('rescanning an unchanged image only re-matches: nothing is pulled, nothing duplicated', async () => {
    const node = await imageOf('shop/node-app');
    const before = await prisma.finding.count({ where: { imageId: node.id } });
    const scan = await startScan(prisma, queue, {
      scope: { kind: 'images', imageIds: [node.id] },
      trigger: 'manual',
    });
    const [job] = await finished(scan.id);
    expect(job).toMatchObject({ status: 'succeeded', cacheHit: true });
    expect(Number(job?.bytesPulled)).toBe(0);
    expect(job?.result).toEqual({
      findings: { opened: 0, stillOpen: before, resolved: 0 },
      samples: { opened: 0, stillOpen: 0, resolved: 0 },
    });
    expect(await prisma.finding.count({ where: { imageId: node.id } })).toBe(before);
  });

  it('an advisory update re-matches stored inventories without pulling', async () => {
    const { jobId, importId } = await queueAdvisoryImport(prisma, queue, {
      source: shared('advisories', 'osv', 'npm'),
      trigger: 'manual',
    });
    const output = await waitFor(
      async () => {
        const j = await queue.boss.getJobById('advisories.import', jobId);
        return j?.state === 'completed' ? (j.output as { rematchScanId?: string }) : undefined;
      },
      60_000,
      'import',
    );
    expect(output.rematchScanId).toBeDefined();
    const jobs = await finished(output.rematchScanId as string);
    expect(jobs).toHaveLength(3);
    expect(
      jobs.every(
        (j) => j.kind === 'rematch' && j.status === 'succeeded' && Number(j.bytesPulled) === 0,
      ),
    ).toBe(true);
    const node = await imageOf('shop/node-app');
    const app = await prisma.finding.findMany({
      where: { imageId: node.id, category: 'application', status: 'open' },
      select: { vulnerabilityId: true },
    });
    expect(app.map((f) => f.vulnerabilityId)).toEqual(
      expect.arrayContaining(['CVE-2020-8203', 'CVE-2021-44906']),
    );
    // Each re-match records the import it was matched after, and what the database then held.
    const row = await prisma.advisoryImport.findUniqueOrThrow({ where: { id: importId } });
    expect(row.totals).toEqual({
      records: await prisma.advisory.count(),
      knownExploited: 0,
      cveRecords: 0,
    });
    const nodeJob = jobs.find((j) => j.imageId === node.id);
    const used = AdvisoryDbUsedSchema.parse(nodeJob?.advisoryDb);
    expect(used).toMatchObject({
      importId,
      sources: [shared('advisories', 'osv', 'npm')],
      updatedAt: row.finishedAt?.toISOString(),
      records: await prisma.advisory.count(),
    });
    expect(used.checked).toContainEqual({
      label: 'npm',
      ecosystems: ['npm'],
      packages: expect.any(Number),
    });
  }, 120_000);

  it('after a tag moves to a changed image, sync and rescan follow it; the old image stops counting', async () => {
    const old = await imageOf('shop/node-app');
    const openBefore = await prisma.finding.count({ where: { imageId: old.id, status: 'open' } });
    expect(openBefore).toBeGreaterThan(0);
    await registry.push(
      `docker-archive:${shared('images', 'go-binaries.tar')}`,
      'shop/node-app:1.0',
    );
    await synced();
    const gone = await prisma.image.findUniqueOrThrow({ where: { id: old.id } });
    expect(gone.goneAt).not.toBeNull();
    expect(await prisma.finding.count({ where: { imageId: old.id, status: 'open' } })).toBe(0);
    const moved = await imageOf('shop/node-app');
    expect(moved.id).not.toBe(old.id);
    const repo = await prisma.repository.findFirstOrThrow({ where: { name: 'node-app' } });
    const scan = await startScan(prisma, queue, {
      scope: { kind: 'repository', repositoryId: repo.id },
      trigger: 'manual',
    });
    const [job] = await finished(scan.id);
    expect(job).toMatchObject({ status: 'succeeded', imageId: moved.id });
    // Same layers as tools/go:1, already analyzed: a cache hit under a new digest.
    expect(job?.cacheHit).toBe(true);
    const updated = await prisma.image.findUniqueOrThrow({ where: { id: moved.id } });
    expect(updated.osFamily).toBeNull();
    expect(
      await prisma.finding.count({ where: { imageId: moved.id, category: 'application' } }),
    ).toBeGreaterThan(0);
  }, 120_000);

  it('a down registry, refused credentials or a missing manifest fail that image only, with the reason', async () => {
    const port = await freePort();
    const down = await prisma.registryInstance.create({
      data: {
        name: 'down',
        url: `http://127.0.0.1:${port}`,
        namespaces: {
          create: {
            name: 'x',
            repositories: {
              create: {
                name: 'y',
                images: { create: { digest: `sha256:${'1'.repeat(64)}`, name: 'down-image' } },
              },
            },
          },
        },
      },
    });
    const refusedId = randomUUID();
    const refused = await prisma.registryInstance.create({
      data: {
        id: refusedId,
        name: 'refused',
        url: registry.url,
        username: 'scanner',
        secret: sealRegistrySecret(TEST_SECRET_KEY, refusedId, 'wrong-password'),
        namespaces: {
          create: {
            name: 'tools',
            repositories: {
              create: {
                name: 'go',
                images: {
                  create: { digest: `sha256:${'2'.repeat(64)}`, name: 'refused-image' },
                },
              },
            },
          },
        },
      },
    });
    const repo = await prisma.repository.findFirstOrThrow({
      where: { name: 'go', namespace: { instanceId } },
    });
    const missing = await prisma.image.create({
      data: {
        repositoryId: repo.id,
        digest: `sha256:${'3'.repeat(64)}`,
        name: 'missing-image',
      },
    });
    const go = await imageOf('tools/go');
    const downImage = await prisma.image.findFirstOrThrow({
      where: { repository: { namespace: { instanceId: down.id } } },
    });
    const refusedImage = await prisma.image.findFirstOrThrow({
      where: { repository: { namespace: { instanceId: refused.id } } },
    });
    const scan = await startScan(prisma, queue, {
      scope: { kind: 'images', imageIds: [downImage.id, refusedImage.id, missing.id, go.id] },
      trigger: 'manual',
    });
    const jobs = await finished(scan.id);
    const by = (id: string) => jobs.find((j) => j.imageId === id);
    expect([by(go.id)?.status, by(go.id)?.reason]).toEqual(['succeeded', null]);
    expect(by(downImage.id)).toMatchObject({
      status: 'failed',
      reason: `127.0.0.1:${port} is unreachable (ECONNREFUSED)`,
    });
    expect(by(refusedImage.id)?.status).toBe('failed');
    expect(by(refusedImage.id)?.reason).toContain(`${registry.host} refused the credentials`);
    expect(by(missing.id)?.status).toBe('failed');
    expect(by(missing.id)?.reason).toContain('not found (404 MANIFEST_UNKNOWN');
    // Failures are final for the job (retry is the analyst's call): one attempt each.
    expect(jobs.filter((j) => j.status === 'failed').every((j) => j.attempts === 1)).toBe(true);
  }, 60_000);

  it('a registry that does not answer in time fails the image with the timeout', async () => {
    const silent = createServer(() => {
      // accepts the connection, never answers
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const rules = loadRuleSet();
    const engine = await createYaraEngine(rules.source, { threads: 1 });
    try {
      const stuck = await prisma.registryInstance.create({
        data: {
          name: 'stuck',
          url: `http://127.0.0.1:${port}`,
          namespaces: {
            create: {
              name: 'x',
              repositories: {
                create: {
                  name: 'y',
                  images: { create: { digest: `sha256:${'4'.repeat(64)}`, name: 'stuck-image' } },
                },
              },
            },
          },
        },
        include: { namespaces: { include: { repositories: { include: { images: true } } } } },
      });
      const image = stuck.namespaces[0]?.repositories[0]?.images[0];
      const handle = createImageScanHandler({
        prisma,
        logger,
        secretKey: TEST_SECRET_KEY,
        registryTimeoutMs: 500,
        analyzer: { engine, rules, limits: DEFAULT_LIMITS, version: analyzerVersion(rules) },
      });
      const job = await prisma.scanJob.create({
        data: { imageId: image?.id ?? null, target: 'stuck-image' },
      });
      await handle({ scanJobId: job.id });
      const row = await prisma.scanJob.findUniqueOrThrow({ where: { id: job.id } });
      expect(row.status).toBe('failed');
      expect(row.reason).toBe(
        `127.0.0.1:${port}: manifest x/y@sha256:${'4'.repeat(64)}: no answer within 0.5 s`,
      );
    } finally {
      await engine.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('rejects images beyond the configured limits cleanly', async () => {
    const rules = loadRuleSet();
    const engine = await createYaraEngine(rules.source, { threads: 1 });
    try {
      const node = await prisma.image.findFirstOrThrow({
        where: { name: { contains: 'sec/samples' } },
      });
      const cases: [Partial<typeof DEFAULT_LIMITS>, RegExp][] = [
        [{ maxLayers: 3 }, /^image has 7 layers; the limit is 3 \(DRYDOCK_MAX_LAYERS\)$/],
        [
          { maxImageBytes: 1024 * 1024 },
          /^image is \d+\.\d MiB; the limit is 1\.0 MiB \(DRYDOCK_MAX_IMAGE_BYTES\)$/,
        ],
        [{ maxFiles: 20 }, /more than 20 files \(limit\) after layer \d/],
      ];
      for (const [limits, reason] of cases) {
        const handle = createImageScanHandler({
          prisma,
          logger,
          secretKey: TEST_SECRET_KEY,
          // No cache: the analyses of the earlier scans do not apply.
          analyzer: {
            engine,
            rules,
            limits: { ...DEFAULT_LIMITS, ...limits },
            version: analyzerVersion(rules),
            cache: false,
          },
        });
        const job = await prisma.scanJob.create({ data: { imageId: node.id, target: node.name } });
        expect(await handle({ scanJobId: job.id })).toHaveProperty('failed');
        const row = await prisma.scanJob.findUniqueOrThrow({ where: { id: job.id } });
        expect(row.status).toBe('failed');
        expect(row.reason).toMatch(reason);
      }
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('near its memory limit, the worker fails that one image with the reason and goes on', async () => {
    const rules = loadRuleSet();
    const engine = await createYaraEngine(rules.source, { threads: 1 });
    try {
      const node = await imageOf('shop/node-app');
      const before = await prisma.finding.count({ where: { imageId: node.id } });
      // The heap reads as nearly full a moment after the scan starts pulling.
      const started = Date.now();
      const guard = new MemoryGuard({
        intervalMs: 20,
        read: () => ({ used: Date.now() - started > 150 ? 95 : 10, limit: 100 }),
      });
      const analyzer = {
        engine,
        rules,
        limits: DEFAULT_LIMITS,
        version: analyzerVersion(rules),
        // Nothing cached from the earlier scans: the scan pulls and reads every layer.
        cache: false,
      };
      const handle = createImageScanHandler({
        prisma,
        logger,
        secretKey: TEST_SECRET_KEY,
        analyzer,
        memoryGuard: guard,
      });
      const job = await prisma.scanJob.create({ data: { imageId: node.id, target: node.name } });
      expect(await handle({ scanJobId: job.id })).toHaveProperty('failed');
      const row = await prisma.scanJob.findUniqueOrThrow({ where: { id: job.id } });
      expect(row.status).toBe('failed');
      expect(row.reason).toMatch(/^the worker's memory reached .* heap while scanning this image/);
      expect(guard.stopped).toBe(1);
      // Nothing of the stopped scan was stored; the same handler then scans normally.
      expect(await prisma.finding.count({ where: { imageId: node.id } })).toBe(before);
      const calm = createImageScanHandler({
        prisma,
        logger,
        secretKey: TEST_SECRET_KEY,
        analyzer,
        memoryGuard: new MemoryGuard({ read: () => ({ used: 10, limit: 100 }) }),
      });
      const next = await prisma.scanJob.create({ data: { imageId: node.id, target: node.name } });
      expect(await calm({ scanJobId: next.id })).not.toHaveProperty('failed');
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('a scheduled sync is followed by a scan of the instance', async () => {
    await queue.send('registry.sync', { instanceId, thenScan: true });
    const scan = await waitFor(
      () => prisma.scan.findFirst({ where: { trigger: 'schedule' } }).then((s) => s ?? undefined),
      30_000,
      'scheduled scan',
    );
    expect(scan.scope).toEqual({ kind: 'instance', instanceId });
    const jobs = await finished(scan.id);
    expect(jobs.length).toBe(3);
    expect(jobs.every((j) => j.status === 'succeeded' && j.cacheHit)).toBe(true);
  }, 60_000);
});
