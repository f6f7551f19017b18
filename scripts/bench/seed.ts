// `pnpm bench seed --images N`: fills a database through the real persistence path (persistScan)
// with N images. Reports come from real scans of ../shared/images (each image gets its own digest
// and a varying subset of findings), spread over instances, namespaces and repositories.
// Uses DATABASE_URL, or an embedded PostgreSQL in $DRYDOCK_BENCH_DIR (default /tmp/drydock-bench-db).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import type { ScanReport } from '@drydock/contract';
import { createPrismaClient, persistScan } from '@drydock/db';
import { scanFile } from '../seed-lib.ts';
import { benchDir, openBenchDatabase } from './bench-db.ts';

const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--images') + 1] ?? 1000);
// `--from K`: add images K..count-1 to a database already seeded with the first K.
const from = args.includes('--from') ? Number(args[args.indexOf('--from') + 1]) : 0;
const root = path.resolve(import.meta.dirname, '../..');
const shared = process.env.DRYDOCK_SHARED_DIR ?? path.resolve(root, '../shared');
const embedded = await openBenchDatabase();
const url = embedded.url;
const prisma = createPrismaClient(url);

const advisories = await AdvisoryDb.open(path.join(benchDir, 'advisories'));
if (!advisories.exists) await importAdvisories(advisories, path.join(shared, 'advisories'));
const bases: ScanReport[] = [];
for (const file of [
  'debian12-node-app.tar',
  'debian12-python-java.oci.tar',
  'alpine-311.tar.gz',
  'go-binaries.tar',
  'malware-samples.tar',
]) {
  bases.push(await scanFile(path.join(shared, 'images', file), advisories));
}

const started = performance.now();
let findings = 0;
for (let i = from; i < count; i++) {
  // Mix: node, go, python-java, go, alpine (about 115 findings per image, ~1M for 10,000 images),
  // and the malware image every 50th.
  const mix = [0, 3, 1, 3, 2];
  const base = (i % 50 === 49 ? bases[4] : bases[mix[i % mix.length] as number]) as ScanReport;
  const digest = `sha256:${createHash('sha256').update(`bench-image-${i}`).digest('hex')}`;
  // Keep 70-100 % of the findings so images differ.
  const keep = 0.7 + ((i * 7919) % 30) / 100;
  const vulnerabilities = (base.vulnerabilities ?? []).filter(
    (_, j) => ((j * 104729 + i) % 1000) / 1000 < keep,
  );
  const report: ScanReport = {
    ...base,
    target: { ...base.target, manifestDigest: digest },
    vulnerabilities,
  };
  const instance = `registry-${i % 5}`;
  const namespace = `team-${(i >> 3) % 40}`;
  const repository = `service-${(i >> 1) % 250}`;
  const result = await persistScan(
    prisma,
    {
      instance: { name: instance, url: `http://${instance}.example:5000` },
      namespace,
      repository,
      name: `${namespace}/${repository}:${i}`,
    },
    report,
  );
  findings += result.findings.opened;
  if ((i + 1) % 500 === 0) {
    const s = (performance.now() - started) / 1000;
    console.log(
      `${i + 1} images, ${findings} findings, ${((i + 1 - from) / s).toFixed(1)} images/s`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
const total = await prisma.finding.count();
console.log(
  `seeded ${count - from} images (${findings} new findings, ${total} in the database) in ${seconds.toFixed(1)} s: ${((count - from) / seconds).toFixed(1)} images/s`,
);
await prisma.$executeRawUnsafe('ANALYZE');
await prisma.$disconnect();
await embedded.stop();
