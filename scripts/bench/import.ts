// `pnpm bench import [--runs N]`: imports the whole shared advisory mirror (OSV zips of every
// ecosystem, the CISA KEV catalog, CVE List records) cold, into the CLI's file database and into
// PostgreSQL, each in its own process so its peak memory (max RSS) is its own; then once more into
// the filled database (nothing changed: the refresh case). Prints time, records/s and peak RSS.
// Uses DATABASE_URL, or an embedded PostgreSQL (ephemeral).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import { createPrismaClient, PgAdvisoryStore } from '@drydock/db';
import { shared } from '@drydock/test-data';
import { openBenchDatabase } from './bench-db.ts';

const [mode, target] = process.argv.slice(2);
if (mode === '--child') {
  // One import, measured in this process.
  const source = shared('advisories');
  const started = performance.now();
  let report: Awaited<ReturnType<typeof importAdvisories>>;
  if (target?.startsWith('postgres')) {
    const prisma = createPrismaClient(target);
    report = await importAdvisories(new PgAdvisoryStore(prisma), source);
    await prisma.$disconnect();
  } else {
    report = await importAdvisories(await AdvisoryDb.open(target as string), source);
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = Object.values(report.ecosystems);
  const read = counts.reduce((n, c) => n + c.added + c.updated + c.unchanged + c.skipped, 0);
  const added = counts.reduce((n, c) => n + c.added, 0);
  console.log(
    JSON.stringify({
      seconds,
      read,
      added,
      kev: report.knownExploited ?? 0,
      cve: report.cveRecords ?? 0,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
  process.exit(0);
}

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 1;
const child = (into: string) => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--child', into],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`import into ${into} failed`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
    seconds: number;
    read: number;
    added: number;
    kev: number;
    cve: number;
    maxRssMiB: number;
  };
};
const line = (label: string, r: ReturnType<typeof child>) =>
  console.log(
    `${label.padEnd(28)} ${r.seconds.toFixed(1).padStart(6)} s  ${(r.read / r.seconds).toFixed(0).padStart(6)} records/s  ` +
      `${r.added} added of ${r.read} read, ${r.kev} KEV, ${r.cve} CVE records  peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
  );

console.log(`shared mirror: ${shared('advisories')}; ${os.cpus().length} cores`);
for (let run = 1; run <= runs; run++) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-import-'));
  const db = await openBenchDatabase({
    dataDir: path.join(dir, 'pg'),
    port: 55496,
    ephemeral: true,
  });
  try {
    if (process.env.DATABASE_URL) {
      const prisma = createPrismaClient(db.url);
      await prisma.$executeRaw`TRUNCATE advisory, advisory_affected, known_exploited, cve_record CASCADE`;
      await prisma.$disconnect();
    }
    line('file database, cold', child(path.join(dir, 'file-db')));
    line('file database, unchanged', child(path.join(dir, 'file-db')));
    line('PostgreSQL, cold', child(db.url));
    line('PostgreSQL, unchanged', child(db.url));
  } finally {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
