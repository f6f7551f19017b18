export { PgAdvisoryStore } from './advisory-store.ts';
export { createPrismaClient, type PrismaClient } from './client.ts';
export { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from './embedded.ts';
export { applyMigrations } from './migrate.ts';
export { poolConfigFromUrl } from './pool-config.ts';
export { type Queue, startQueue } from './queue.ts';
