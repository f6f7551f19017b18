// `pnpm bench workers [--copies N] [--workers 1,2,4]`: images scanned per minute by 1, 2 and 4
// worker processes over the same images, pulled from a real registry (Debian's docker-registry)
// on loopback. Every round starts cold (DRYDOCK_ANALYSIS_CACHE=off, findings cleared), so each
// image is pulled, analyzed, malware-scanned, matched and stored.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { importAdvisories } from '@drydock/advisories';
import { createPrismaClient, PgAdvisoryStore, startQueue, startScan } from '@drydock/db';
import { shared } from '@drydock/test-data';
import { syncRegistry } from '../../apps/worker/src/jobs/registry-sync.ts';
import { startRegistry } from '../../test/support/registry.ts';
import { spawnWorker, stopWorker } from '../../test/support/worker-process.ts';
import { openBenchDatabase } from './bench-db.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const copies = Number(arg('--copies', '3'));
const counts = arg('--workers', '1,2,4').split(',').map(Number);
const SECRET = 'bench-workers-secret-key-0123456789abcdef';

/** Busy and total CPU jiffies of the whole machine (all processes: workers, Postgres, registry). */
function cpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

const db = await openBenchDatabase({
  dataDir: `/tmp/drydock-bench-workers-${process.pid}`,
  port: 55498,
  ephemeral: true,
});
const registry = await startRegistry();
const prisma = createPrismaClient(db.url);
const queue = await startQueue(db.url);
try {
  const images: [string, string][] = [
    [`docker-archive:${shared('images', 'debian12-node-app.tar')}`, 'node-app'],
    [`oci-archive:${shared('images', 'debian12-python-java.oci.tar')}`, 'python-java'],
    [`docker-archive:${shared('images', 'go-binaries.tar')}`, 'go-binaries'],
    [`docker-archive:${shared('images', 'malware-samples.tar')}`, 'samples'],
  ];
  for (let c = 1; c <= copies; c++) {
    for (const [source, name] of images) await registry.push(source, `team-${c}/${name}:latest`);
  }
  const store = new PgAdvisoryStore(prisma);
  await importAdvisories(store, shared('advisories', 'osv'));
  const instance = await prisma.registryInstance.create({
    data: { name: 'bench', url: registry.url },
  });
  const sync = await syncRegistry({ prisma, queue, secretKey: SECRET }, instance.id);
  const compressed = Number(
    (await prisma.image.aggregate({ _sum: { sizeBytes: true } }))._sum.sizeBytes ?? 0,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB; node ${process.version}`,
  );
  console.log(
    `images: ${sync.images} (${copies} copies of ${images.length}), ${(compressed / 1024 ** 2).toFixed(0)} MiB compressed per round; each worker: concurrency 1, cache off`,
  );
  const results: { workers: number; seconds: number; perMinute: number }[] = [];
  for (const n of counts) {
    await prisma.$executeRawUnsafe(
      'TRUNCATE finding, sample_finding, scan_item, scan_job, scan, analysis_cache CASCADE',
    );
    const workers = await Promise.all(
      Array.from({ length: n }, () =>
        spawnWorker(db.url, SECRET, { DRYDOCK_ANALYSIS_CACHE: 'off', LOG_LEVEL: 'info' }),
      ),
    );
    const cpuBefore = cpuTimes();
    const started = performance.now();
    const scan = await startScan(prisma, queue, { scope: { kind: 'all' }, trigger: 'manual' });
    for (;;) {
      const pending = await prisma.scanJob.count({
        where: { items: { some: { scanId: scan.id } }, status: { in: ['queued', 'running'] } },
      });
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuTimes();
    const busy = (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total);
    const failed = await prisma.scanJob.count({ where: { status: 'failed' } });
    for (const w of workers) await stopWorker(w);
    const perMinute = (scan.images / seconds) * 60;
    results.push({ workers: n, seconds, perMinute });
    console.log(
      `${n} worker${n > 1 ? 's' : ' '}: ${scan.images} images in ${seconds.toFixed(1)} s = ${perMinute.toFixed(1)} images/min, machine CPU ${(busy * 100).toFixed(0)}% busy${failed ? ` (${failed} FAILED)` : ''}`,
    );
  }
  const at = (n: number) => results.find((r) => r.workers === n)?.perMinute;
  for (const [a, b] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const x = at(a);
    const y = at(b);
    if (x && y) console.log(`speed-up ${a} → ${b} workers: ${(y / x).toFixed(2)}x`);
  }
} finally {
  await queue.stop();
  await prisma.$disconnect();
  await registry.stop();
  await db.stop();
}
