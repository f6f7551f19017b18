// `pnpm db:seed`: fills the database with the shared test images scanned for real, so the console
// has data before registries are connected. Uses DATABASE_URL or the embedded database.
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import { applyMigrations, createPrismaClient, startEmbeddedPostgres } from '@drydock/db';
import { scanFile, seedImage } from './seed-lib.ts';

const root = path.resolve(import.meta.dirname, '..');
const shared = process.env.DRYDOCK_SHARED_DIR ?? path.resolve(root, '../shared');
const dataDir = path.resolve(process.env.DRYDOCK_DATA_DIR ?? path.join(root, '.drydock'));
const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir });
const url = process.env.DATABASE_URL ?? (embedded?.url as string);
await applyMigrations(url);
const prisma = createPrismaClient(url);
const advisories = await AdvisoryDb.open(path.join(dataDir, 'advisories'));
if (!advisories.exists) await importAdvisories(advisories, path.join(shared, 'advisories'));
const images: [string, Parameters<typeof seedImage>[1]][] = [
  [
    'debian12-node-app.tar',
    {
      instance: { name: 'demo-registry', url: 'http://127.0.0.1:5000' },
      namespace: 'shop',
      repository: 'node-app',
      name: 'shop/node-app:latest',
    },
  ],
  [
    'debian12-python-java.oci.tar',
    {
      instance: { name: 'demo-registry', url: 'http://127.0.0.1:5000' },
      namespace: 'data',
      repository: 'python-java',
      name: 'data/python-java:latest',
    },
  ],
  [
    'alpine-311.tar.gz',
    {
      instance: { name: 'demo-registry', url: 'http://127.0.0.1:5000' },
      namespace: 'library',
      repository: 'alpine',
      name: 'library/alpine:3.11',
    },
  ],
  [
    'go-binaries.tar',
    {
      instance: { name: 'demo-registry', url: 'http://127.0.0.1:5000' },
      namespace: 'tools',
      repository: 'go-binaries',
      name: 'tools/go-binaries:latest',
    },
  ],
  ['malware-samples.tar', { name: 'malware-samples.tar (uploaded)' }],
];
for (const [file, location] of images) {
  const report = await scanFile(path.join(shared, 'images', file), advisories);
  const result = await seedImage(prisma, location, report);
  console.log(
    `${location.name}: ${result.findings.opened} new findings, ${result.samples.opened} new samples`,
  );
}
await prisma.$disconnect();
await embedded?.stop();
