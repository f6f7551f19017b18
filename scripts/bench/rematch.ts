// `pnpm bench rematch [--images N] [--workers W] [--concurrency C]`: the re-match of every stored
// image after an advisory import, as production runs it. N images (default 10,000, spread over
// repositories) are stored through the real path (persistScan, with an analysis of a real shared
// image each) against a database without npm advisories; then the npm advisories are imported
// through the worker's import job, which queues one `rematch` job per image; W worker processes
// (default 2, C jobs each, default 2) re-match the stored analyses (no pull) and store the
// findings. Prints the time until every job finished, images/s, and each worker's peak RSS.
// Uses DATABASE_URL, or an embedded PostgreSQL (ephemeral).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importAdvisories } from '@drydock/advisories';
import type { ScanReport } from '@drydock/contract';
import {
  advisoryDbState,
  createPrismaClient,
  PgAdvisoryStore,
  persistScan,
  queueAdvisoryImport,
  startQueue,
} from '@drydock/db';
import { analyzeFile, matchReport } from '@drydock/pipeline';
import { shared } from '@drydock/test-data';
import { spawnWorker, stopWorker } from '../../test/support/worker-process.ts';
import { openBenchDatabase } from './bench-db.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const count = Number(arg('--images', '10000'));
const workers = Number(arg('--workers', '2'));
const concurrency = arg('--concurrency', '2');
const SECRET = 'bench-rematch-secret-key-0123456789abcdef';

const db = await openBenchDatabase({
  dataDir: `/tmp/drydock-bench-rematch-${process.pid}`,
  port: 55495,
  ephemeral: true,
});
const prisma = createPrismaClient(db.url);
const queue = await startQueue(db.url);
try {
  const store = new PgAdvisoryStore(prisma);
  for (const eco of ['Debian', 'Alpine', 'Go', 'Maven', 'PyPI', 'crates.io', 'RubyGems']) {
    await importAdvisories(store, shared('advisories', 'osv', eco));
  }
  await importAdvisories(store, shared('advisories', 'kev'));
  // The analyses of real images (inventory; the malware scan is not part of a re-match).
  const bases: { key: string; report: ScanReport }[] = [];
  for (const file of [
    'debian12-node-app.tar',
    'debian12-python-java.oci.tar',
    'alpine-311.tar.gz',
    'go-binaries.tar',
  ]) {
    const { report } = await analyzeFile(shared('images', file));
    const key = `sha256:${createHash('sha256').update(`bench-rematch-${file}`).digest('hex')}`;
    await prisma.analysisCache.create({
      data: { key, analyzerVersion: 'bench', inventory: JSON.parse(JSON.stringify(report)) },
    });
    bases.push({ key, report });
  }
  const state = await advisoryDbState(prisma);
  const matched = await Promise.all(bases.map((b) => matchReport(b.report, store, state)));
  const seedStart = performance.now();
  for (let i = 0; i < count; i++) {
    const b = i % bases.length;
    const base = matched[b] as ScanReport;
    const digest = `sha256:${createHash('sha256').update(`bench-image-${i}`).digest('hex')}`;
    const namespace = `team-${(i >> 3) % 40}`;
    const repository = `service-${(i >> 1) % 250}`;
    await persistScan(
      prisma,
      {
        instance: { name: `registry-${i % 5}`, url: `http://registry-${i % 5}.example:5000` },
        namespace,
        repository,
        name: `${namespace}/${repository}:${i}`,
      },
      { ...base, target: { ...base.target, manifestDigest: digest } },
      new Date(),
      { analysisKey: (bases[b] as { key: string }).key },
    );
    if ((i + 1) % 1000 === 0) console.log(`stored ${i + 1} images`);
  }
  const findingsBefore = await prisma.finding.count({ where: { status: 'open' } });
  console.log(
    `stored ${count} images with ${findingsBefore} open findings in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`,
  );

  const spawned = [];
  for (let w = 0; w < workers; w++) {
    spawned.push(
      await spawnWorker(db.url, SECRET, {
        WORKER_CONCURRENCY: concurrency,
        DRYDOCK_ADVISORY_MIRRORS: shared('advisories'),
      }),
    );
  }
  const started = performance.now();
  const { importId } = await queueAdvisoryImport(prisma, queue, {
    source: shared('advisories', 'osv', 'npm'),
    trigger: 'manual',
  });
  let scanId: string | null = null;
  for (;;) {
    const row = await prisma.advisoryImport.findUniqueOrThrow({ where: { id: importId } });
    if (row.status === 'failed') throw new Error(`import failed: ${row.error}`);
    if (row.status === 'succeeded') {
      scanId = row.rematchScanId;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const imported = (performance.now() - started) / 1000;
  if (!scanId) throw new Error('the import queued no re-match');
  let last = 0;
  for (;;) {
    const rows = await prisma.$queryRaw<{ status: string; n: bigint }[]>`
      SELECT j.status::text AS status, count(*) AS n FROM scan_item i JOIN scan_job j ON j.id = i.scan_job_id
      WHERE i.scan_id = ${scanId}::uuid GROUP BY j.status`;
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    const done = (by.succeeded ?? 0) + (by.failed ?? 0);
    if (done >= count) {
      if (by.failed) console.log(`${by.failed} re-matches failed`);
      break;
    }
    if (done - last >= 1000) {
      last = done;
      const s = (performance.now() - started) / 1000;
      console.log(`re-matched ${done} images in ${s.toFixed(0)} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (performance.now() - started) / 1000;
  const findingsAfter = await prisma.finding.count({ where: { status: 'open' } });
  const rss: number[] = [];
  for (const w of spawned) {
    const status = readFileSync(`/proc/${w.child.pid}/status`, 'utf8');
    rss.push(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }
  console.log(
    `re-match of ${count} stored images after an npm import: ${seconds.toFixed(1)} s ` +
      `(import ${imported.toFixed(1)} s), ${(count / seconds).toFixed(1)} images/s with ${workers} workers × ${concurrency}; ` +
      `open findings ${findingsBefore} → ${findingsAfter}; worker peak RSS ${rss.map((r) => `${r.toFixed(0)} MiB`).join(', ')}`,
  );
  for (const w of spawned) await stopWorker(w);
} finally {
  await queue.stop();
  await prisma.$disconnect();
  await db.stop();
}
