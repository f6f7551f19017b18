// `pnpm bench uploads [--mib N]`: how fast an uploaded tarball goes into Postgres (as the API
// stores it) and back out to a worker's temporary file, with the process's peak RSS.
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPrismaClient, storeUpload, writeUploadToFile } from '@drydock/db';
import { openBenchDatabase } from './bench-db.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' } } });
const mib = Number(values.mib);
const dir = await mkdtemp(path.join(tmpdir(), 'drydock-bench-uploads-'));
const source = path.join(dir, 'in.tar');
// Random bytes: like a compressed layer, nothing for Postgres to shrink.
const block = Buffer.alloc(1024 * 1024);
for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
await writeFile(source, '');
for (let i = 0; i < mib; i++) {
  block.writeUInt32LE(i, 0);
  await appendFile(source, block);
}

const db = await openBenchDatabase();
const prisma = createPrismaClient(db.url);
try {
  let t = performance.now();
  const stored = await storeUpload(prisma, 'bench.tar', createReadStream(source));
  const storeMs = performance.now() - t;
  const storeRss = process.resourceUsage().maxRSS / 1024;
  t = performance.now();
  await writeUploadToFile(prisma, stored.id, path.join(dir, 'out.tar'));
  const readMs = performance.now() - t;
  await prisma.upload.delete({ where: { id: stored.id } });
  const rate = (ms: number) => `${((mib / ms) * 1000).toFixed(0)} MiB/s`;
  console.log(`upload of ${mib} MiB through Postgres (4 MiB chunks)`);
  console.log(`  store (API side):      ${(storeMs / 1000).toFixed(2)} s  ${rate(storeMs)}`);
  console.log(`  read back (worker):    ${(readMs / 1000).toFixed(2)} s  ${rate(readMs)}`);
  const peak = (kib: number) => `${kib.toFixed(0)} MiB`;
  console.log(
    `  peak RSS after storing: ${peak(storeRss)}, after reading back: ${peak(process.resourceUsage().maxRSS / 1024)}`,
  );
} finally {
  await prisma.$disconnect();
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
