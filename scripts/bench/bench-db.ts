// The benchmarks' database: DATABASE_URL, or an embedded PostgreSQL in $DRYDOCK_BENCH_DIR
// (default /tmp/drydock-bench-db), migrated.
import { applyMigrations, type EmbeddedDatabase, startEmbeddedPostgres } from '@drydock/db';

export const benchDir = process.env.DRYDOCK_BENCH_DIR ?? '/tmp/drydock-bench-db';

export async function openBenchDatabase(
  options: { dataDir?: string; port?: number; ephemeral?: boolean } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  let embedded: EmbeddedDatabase | undefined;
  if (!process.env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({
      dataDir: options.dataDir ?? benchDir,
      port: options.port ?? 55499,
      ...(options.ephemeral ? { ephemeral: true } : {}),
    });
  }
  const url = process.env.DATABASE_URL ?? (embedded?.url as string);
  await applyMigrations(url);
  return { url, stop: async () => embedded?.stop() };
}
