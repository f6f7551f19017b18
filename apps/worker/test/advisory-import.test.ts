import { importAdvisories, matchInventory } from '@drydock/advisories';
import {
  advisoryImportView,
  createPrismaClient,
  PgAdvisoryStore,
  type PrismaClient,
  type Queue,
  queueAdvisoryImport,
  queueDueAdvisoryRefresh,
  startQueue,
} from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { serveAdvisoryFeeds } from '@drydock/test-data/feeds';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/worker.ts';
import { TEST_SECRET_KEY } from './helpers.ts';

async function completed(queue: Queue, id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await queue.boss.getJobById('advisories.import', id);
    if (job?.state === 'completed')
      return job.output as { ecosystems: Record<string, Record<string, number>> };
    if (job?.state === 'failed') throw new Error(`job failed: ${JSON.stringify(job.output)}`);
    if (Date.now() > deadline) throw new Error('import job did not finish');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** For one describe block: a fresh database and a worker that may read the shared mirror. */
function importWorker() {
  const w = {} as { db: TestDatabase; prisma: PrismaClient; queue: Queue };
  beforeAll(async () => {
    w.db = await createTestDatabase();
    w.prisma = createPrismaClient(w.db.url);
    w.queue = await startQueue(w.db.url);
    await startWorker({
      queue: w.queue,
      prisma: w.prisma,
      logger: pino({ level: 'silent' }),
      concurrency: 1,
      secretKey: TEST_SECRET_KEY,
      advisoryMirrors: [shared('advisories')],
    });
  });
  afterAll(async () => {
    await w.queue?.stop();
    await w.prisma?.$disconnect();
    await w.db?.drop();
  });
  return w;
}

describe('advisories.import job into Postgres', () => {
  const w = importWorker();

  it('imports a mirror, idempotently, and a stored inventory re-matches without rescanning', async () => {
    const first = await completed(
      w.queue,
      await w.queue.send('advisories.import', { source: shared('advisories', 'osv', 'npm') }),
    );
    expect(first.ecosystems.npm).toEqual({ added: 499, updated: 0, unchanged: 0, skipped: 0 });
    expect(await w.prisma.advisory.count()).toBe(499);
    const indexed = await w.prisma.advisoryAffected.count({
      where: { ecosystem: 'npm', name: 'lodash' },
    });
    expect(indexed).toBeGreaterThanOrEqual(2);

    const again = await completed(
      w.queue,
      await w.queue.send('advisories.import', { source: shared('advisories', 'osv', 'npm') }),
    );
    expect(again.ecosystems.npm).toEqual({ added: 0, updated: 0, unchanged: 499, skipped: 0 });

    await completed(
      w.queue,
      await w.queue.send('advisories.import', { source: shared('advisories', 'kev') }),
    );
    expect(await w.prisma.knownExploited.count()).toBe(1404);

    const { report } = await scanImage(shared('images', 'debian12-node-app.tar'));
    const findings = await matchInventory(report, new PgAdvisoryStore(w.prisma));
    expect(findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['CVE-2020-8203', 'CVE-2021-23337', 'CVE-2021-44906']),
    );
  });

  it('a source that does not exist fails the job with the reason', async () => {
    const id = await w.queue.boss.send(
      'advisories.import',
      { source: '/nonexistent/mirror' },
      { retryLimit: 0 },
    );
    await expect(completed(w.queue, id as string)).rejects.toThrow(/no such file or directory/);
  });

  it('a job planted in the queue cannot read outside the mirror folders or fetch local URLs', async () => {
    for (const [source, reason] of [
      ['/etc', /outside the advisory mirror folders/],
      [`${shared('advisories')}/../images`, /outside the advisory mirror folders/],
      ['http://127.0.0.1:5432/all.zip', /127\.0\.0\.1.*loopback/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['file:///etc/passwd', /http and https only/],
    ] as const) {
      const id = await w.queue.boss.send('advisories.import', { source }, { retryLimit: 0 });
      await expect(completed(w.queue, id as string)).rejects.toThrow(reason);
    }
    expect(await w.prisma.advisory.count()).toBe(499);
  });
});

describe('advisory import rows: visible progress and outcome, scheduled refresh', () => {
  const w = importWorker();

  const settled = async (id: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await w.prisma.advisoryImport.findUniqueOrThrow({ where: { id } });
      if (row.status === 'succeeded' || row.status === 'failed') return advisoryImportView(row);
      if (Date.now() > deadline) throw new Error(`import ${id} still ${row.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('records a manual import from queued to succeeded, with its counts per ecosystem', async () => {
    const { importId } = await queueAdvisoryImport(w.prisma, w.queue, {
      source: shared('advisories', 'osv', 'npm'),
      trigger: 'manual',
      requestedBy: 'admin',
    });
    const done = await settled(importId);
    expect(done).toMatchObject({ status: 'succeeded', trigger: 'manual', requestedBy: 'admin' });
    expect(done.ecosystems.npm).toEqual({ added: 499, updated: 0, unchanged: 0, skipped: 0 });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
  });

  it('records a failed import with its reason, and does not retry it behind the analyst', async () => {
    const { importId } = await queueAdvisoryImport(w.prisma, w.queue, {
      source: `${shared('advisories', 'osv', 'npm')}/no-such`,
      trigger: 'manual',
    });
    const done = await settled(importId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/no such file|outside|refused/i);
  });

  it('queues the scheduled refresh when due, once, and not while one is running', async () => {
    // A mirror folder: its own kev/ and nvd/ parts, no online feeds.
    const refresh = {
      source: shared('advisories', 'osv', 'crates.io'),
      kev: null,
      cve: null,
      everyHours: 24,
    };
    const now = new Date(Date.now() + 25 * 3_600_000);
    const first = await queueDueAdvisoryRefresh(w.prisma, w.queue, refresh, now);
    expect(first).toBeDefined();
    expect(await queueDueAdvisoryRefresh(w.prisma, w.queue, refresh, now)).toBeUndefined();
    const done = await settled(first as string);
    expect(done).toMatchObject({ status: 'succeeded', trigger: 'schedule' });
    expect(done.totals).toEqual({
      records: await w.prisma.advisory.count(),
      knownExploited: 0,
      cveRecords: 0,
    });
    // Just refreshed: not due again until the interval has passed.
    expect(await queueDueAdvisoryRefresh(w.prisma, w.queue, refresh, new Date())).toBeUndefined();
  });
});

describe('online refresh into Postgres: OSV bucket, CISA KEV feed, CVE record service', () => {
  const w = importWorker();
  let feeds: Awaited<ReturnType<typeof serveAdvisoryFeeds>>;
  beforeAll(async () => {
    feeds = await serveAdvisoryFeeds();
  });
  afterAll(() => feeds?.close());

  it('a scheduled refresh names the KEV feed and CVE service in its job', async () => {
    const refresh = {
      source: 'https://osv.example.org',
      kev: 'https://kev.example.org/kev.json',
      cve: 'https://cve.example.org/api/cve/{id}',
      everyHours: 24,
    };
    const sent: unknown[] = [];
    const queue = {
      send: async (_name: string, data: unknown) => {
        sent.push(data);
        return 'job';
      },
    };
    const id = await queueDueAdvisoryRefresh(w.prisma, queue as never, refresh, new Date());
    expect(sent).toEqual([
      {
        source: refresh.source,
        kev: refresh.kev,
        cve: refresh.cve,
        importId: id,
      },
    ]);
    await w.prisma.advisoryImport.delete({ where: { id: id as string } });
  });

  it('stores the KEV catalog and the CVE records the advisories lack, and asks only once', async () => {
    const store = new PgAdvisoryStore(w.prisma);
    const first = await importAdvisories(store, feeds.osv, {
      ecosystems: ['Debian', 'npm'],
      kev: feeds.kev,
      cve: feeds.cve,
    });
    expect(first.ecosystems.Debian?.added).toBe(579);
    expect(first.knownExploited).toBe(1404);
    expect(await w.prisma.knownExploited.count()).toBe(1404);
    // The npm records (GHSA, Node security WG) that carry a CVSS need no CVE record.
    const wanted = feeds.requests.cve;
    expect(wanted).toBeGreaterThanOrEqual(578);
    expect(await w.prisma.cveRecord.count()).toBe(wanted);
    expect(await store.cve('CVE-2024-22365')).toMatchObject({
      description: expect.stringMatching(/^linux-pam \(aka Linux PAM\) before 1\.6\.0/),
    });
    expect(await new PgAdvisoryStore(w.prisma).totals()).toEqual({
      records: 579 + 499,
      knownExploited: 1404,
      cveRecords: wanted,
    });
    await importAdvisories(new PgAdvisoryStore(w.prisma), feeds.osv, {
      ecosystems: ['Debian'],
      cve: feeds.cve,
    });
    expect(feeds.requests.cve).toBe(wanted);
  });
});
