// `pnpm bench triage [--export-only]`: fleet triage at scale on the database `pnpm bench seed` filled (same
// DATABASE_URL / DRYDOCK_BENCH_DIR): a bulk ignore of everything a tab filter matches (dry run,
// then the real one, then unignore back), and the per-finding export streamed over HTTP (rows/s,
// the server's RSS growth while it streams).
import { createPrismaClient } from '@drydock/db';
import { benchApp } from './bench-app.ts';
import { openBenchDatabase } from './bench-db.ts';

const embedded = await openBenchDatabase();
const prisma = createPrismaClient(embedded.url);
try {
  const { app, token } = await benchApp(prisma);
  const headers = { ...(await token('bench-triage')), 'content-type': 'application/json' };
  const images = await prisma.image.count();
  const findings = await prisma.finding.count();
  console.log(`database: ${images} images, ${findings} findings`);
  const bulk = async (body: object) => {
    const t0 = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/triage/bulk',
      headers,
      payload: body,
    });
    if (res.statusCode !== 200) throw new Error(`bulk: HTTP ${res.statusCode} ${res.body}`);
    return {
      ms: performance.now() - t0,
      ...(JSON.parse(res.body) as { findings: number; images: number; targets: number }),
    };
  };
  const exportOnly = process.argv.includes('--export-only');
  // The figure: a bulk ignore (and back) of rows holding ~100,000 findings, chosen by id.
  if (!exportOnly) {
    const want = 100_000;
    const rows = await prisma.$queryRaw<{ id: string; n: bigint }[]>`
      SELECT vulnerability_id AS id, count(*) AS n FROM finding WHERE status = 'open'
      GROUP BY vulnerability_id ORDER BY count(*) DESC, vulnerability_id`;
    const ids: string[] = [];
    let sum = 0;
    for (const r of rows) {
      if (sum >= want) break;
      if (sum + Number(r.n) > want * 1.1) continue;
      ids.push(r.id);
      sum += Number(r.n);
    }
    const triage = { action: 'ignore', reason: 'bench: accepted for the quarter' };
    const real = await bulk({ kind: 'vulnerability', ids, triage });
    const back = await bulk({ kind: 'vulnerability', ids, triage: { action: 'unignore' } });
    console.log(
      `bulk by ids ${String(real.findings).padStart(8)} findings in ${real.images} images (${real.targets} rows): ` +
        `ignore ${(real.ms / 1000).toFixed(2)} s, unignore ${(back.ms / 1000).toFixed(2)} s`,
    );
  }
  // Whole tabs with `--tabs` (every finding of the tab rewritten, twice).
  const bulkCategories =
    !exportOnly && process.argv.includes('--tabs') ? ['system', 'application'] : [];
  for (const category of bulkCategories) {
    const triage = { action: 'ignore', reason: 'bench: accepted for the quarter' };
    const dry = await bulk({ kind: 'vulnerability', filter: { category }, triage, dryRun: true });
    const real = await bulk({ kind: 'vulnerability', filter: { category }, triage });
    const back = await bulk({
      kind: 'vulnerability',
      filter: { category, status: 'ignored' },
      triage: { action: 'unignore' },
    });
    console.log(
      `bulk ${category.padEnd(11)} ${String(real.findings).padStart(8)} findings in ${real.images} images (${real.targets} rows): ` +
        `dry run ${(dry.ms / 1000).toFixed(2)} s, ignore ${(real.ms / 1000).toFixed(2)} s, unignore ${(back.ms / 1000).toFixed(2)} s`,
    );
  }
  // The export, streamed through a real socket: rows/s and how much the server grew meanwhile.
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const category of ['system', 'application']) {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const t0 = performance.now();
    const res = await fetch(
      `${address}/api/v1/vulnerabilities/export?category=${category}&format=csv`,
      {
        headers: { authorization: headers.authorization },
      },
    );
    let lines = 0;
    // Flat memory: the growth after the first 50,000 rows against the growth at the end.
    let early: number | undefined;
    const gc = (globalThis as { gc?: () => void }).gc;
    const heaps: number[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      // The reading client shares the server's process: count lines cheaply.
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (early === undefined && lines > 50_000) early = peak;
      // With NODE_OPTIONS=--expose-gc: the live heap after a collection every 100,000 rows.
      if (gc && Math.floor(lines / 100_000) > heaps.length) {
        gc();
        heaps.push(Math.round(process.memoryUsage().heapUsed / 1048576));
      }
    }
    const s = (performance.now() - t0) / 1000;
    console.log(
      `export ${category.padEnd(11)} ${String(lines - 1).padStart(8)} rows in ${s.toFixed(1)} s: ` +
        `${Math.round((lines - 1) / s)} rows/s, RSS +${((peak - rssBefore) / 1048576).toFixed(0)} MiB while streaming` +
        (early ? ` (+${((early - rssBefore) / 1048576).toFixed(0)} MiB after 50,000 rows)` : '') +
        (heaps.length ? `; live heap every 100,000 rows: ${heaps.join(', ')} MiB` : ''),
    );
  }
  await app.close();
} finally {
  await prisma.$disconnect();
  await embedded.stop();
}
