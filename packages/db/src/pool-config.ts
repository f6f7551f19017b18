import type { PoolConfig } from 'pg';

/**
 * Splits a postgres:// URL into a pg PoolConfig. The Prisma pg adapter must get fields, not a
 * connection string: with a string its shadow database silently points at the main database.
 */
export function poolConfigFromUrl(databaseUrl: string): PoolConfig {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must be a postgresql:// URL, got ${url.protocol}`);
  }
  const config: PoolConfig = {
    host: decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode === 'require' || sslmode === 'verify-full' || sslmode === 'verify-ca') {
    config.ssl = { rejectUnauthorized: sslmode !== 'require' };
  }
  return config;
}
