// `pnpm bench layers`: what the per-layer malware cache saves when images share base layers.
// Scans debian12-python-java with an empty cache, then again after debian12-node-app (same
// debian:12 base layer) filled it; the image-level analysis cache is cleared before each run.

import { createPrismaClient } from '@drydock/db';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { openImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { analyzeImage, analyzerVersion } from '../../apps/worker/src/scan/analyze.ts';
import { DEFAULT_LIMITS } from '../../apps/worker/src/worker.ts';
import { openBenchDatabase } from './bench-db.ts';

const db = await openBenchDatabase();
const prisma = createPrismaClient(db.url);
const rules = loadRuleSet();
const engine = await createYaraEngine(rules.source);
const analyzer = { engine, rules, limits: DEFAULT_LIMITS, version: analyzerVersion(rules) };
const run = async (file: string) => {
  await prisma.analysisCache.deleteMany({});
  const image = await openImage(shared('images', file));
  const cpu = process.cpuUsage();
  const t = performance.now();
  try {
    const a = await analyzeImage(prisma, analyzer, image);
    const used = process.cpuUsage(cpu);
    return {
      wall: (performance.now() - t) / 1000,
      cpu: (used.user + used.system) / 1e6,
      cached: a.malwareLayersCached ?? 0,
      layers: image.layers.length,
    };
  } finally {
    await image.close();
  }
};
try {
  // Warm up the engine and the JIT on an image with no layer in common.
  await run('go-binaries.tar');
  await prisma.layerMalwareCache.deleteMany({});
  const cold = await run('debian12-python-java.oci.tar');
  await prisma.layerMalwareCache.deleteMany({});
  await run('debian12-node-app.tar');
  const warm = await run('debian12-python-java.oci.tar');
  const line = (label: string, r: typeof cold) =>
    `  ${label}: ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${r.cached}/${r.layers} layers' malware results from the cache`;
  console.log(
    'debian12-python-java, image-level cache cleared each time (CPU of the whole process, engine threads included)',
  );
  console.log(line('layer cache empty            ', cold));
  console.log(line('after debian12-node-app     ', warm));
} finally {
  await engine.close();
  await prisma.$disconnect();
  await db.stop();
}
