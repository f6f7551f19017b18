import { createPrismaClient } from '@drydock/db';
// `pnpm bench api`: p50/p95 latency of the Image Security list endpoints under typical filters,
// against the database `pnpm bench seed` filled (same DATABASE_URL / DRYDOCK_BENCH_DIR).
import { benchApp } from './bench-app.ts';
import { openBenchDatabase } from './bench-db.ts';

const embedded = await openBenchDatabase();
const url = embedded.url;
const prisma = createPrismaClient(url);
try {
  const { app, token } = await benchApp(prisma);
  const admin_ = await token('bench');
  // Scoped accounts (one instance; one namespace) take the joined path instead of the aggregate.
  const scopedToken = (name: string, scope: { instanceIds?: string[]; namespaceIds?: string[] }) =>
    token(name, 'viewer', scope);
  const instance = await prisma.registryInstance.findFirst({ where: { name: 'registry-1' } });
  const namespace = await prisma.namespace.findFirst({ where: { name: 'team-7' } });
  const byInstance = await scopedToken('instance', { instanceIds: instance ? [instance.id] : [] });
  const byNamespace = await scopedToken('namespace', {
    namespaceIds: namespace ? [namespace.id] : [],
  });
  const images = await prisma.image.count();
  const findings = await prisma.finding.count();
  const cases: [string, string, Record<string, string>?][] = [
    ['summary', '/api/v1/summary'],
    ['system tab, page 1', '/api/v1/vulnerabilities?category=system'],
    ['application tab, page 1', '/api/v1/vulnerabilities?category=application'],
    ['application, high only', '/api/v1/vulnerabilities?category=application&priority=high'],
    ['system, one instance', `/api/v1/vulnerabilities?category=system&instanceId=${instance?.id}`],
    ['application, namespace', '/api/v1/vulnerabilities?category=application&namespace=team-7'],
    ['application, fuzzy name', '/api/v1/vulnerabilities?category=application&name=lodash'],
    [
      'application, page 5 by images',
      '/api/v1/vulnerabilities?category=application&page=5&pageSize=10&sort=images',
    ],
    ['malicious samples', '/api/v1/malicious-samples'],
    ['malicious, urgent', '/api/v1/malicious-samples?severity=urgent'],
    ['images, page 1', '/api/v1/images'],
    ['fix plan', '/api/v1/fix-plan'],
    ['fix plan, application', '/api/v1/fix-plan?category=application'],
    [
      'what changed, fleet since a week',
      `/api/v1/changes?since=${new Date(Date.now() - 7 * 86400_000).toISOString()}`,
    ],
    [
      'what changed, one scan',
      `/api/v1/changes?scanId=${(await prisma.scanItem.findFirst())?.scanId ?? '00000000-0000-4000-8000-000000000000'}`,
    ],
    ['scoped (instance): summary', '/api/v1/summary', byInstance],
    ['scoped (instance): system tab', '/api/v1/vulnerabilities?category=system', byInstance],
    ['scoped (namespace): summary', '/api/v1/summary', byNamespace],
    [
      'scoped (namespace): application tab',
      '/api/v1/vulnerabilities?category=application',
      byNamespace,
    ],
    [
      'scoped (namespace): fuzzy name',
      '/api/v1/vulnerabilities?category=application&name=lodash',
      byNamespace,
    ],
  ];
  console.log(`database: ${images} images, ${findings} findings`);
  console.log('endpoint                              p50 ms   p95 ms');
  for (const [label, target, as = admin_] of cases) {
    const headers = as;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: target, headers }); // warm up
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url: target, headers });
      times.push(performance.now() - t0);
      if (res.statusCode !== 200)
        throw new Error(`${target}: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) =>
      (times[Math.min(times.length - 1, Math.floor(q * times.length))] as number).toFixed(1);
    console.log(`${label.padEnd(36)} ${p(0.5).padStart(7)}  ${p(0.95).padStart(7)}`);
  }
  await app.close();
} finally {
  await prisma.$disconnect();
  await embedded.stop();
}
