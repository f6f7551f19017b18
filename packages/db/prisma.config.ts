// Prisma CLI configuration for the offline, engine-less mode (docs/decisions/0003-offline-prisma.md).
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { poolConfigFromUrl } from './src/pool-config.ts';

export default defineConfig({
  schema: path.join(import.meta.dirname, '../../prisma/schema.prisma'),
  experimental: { adapter: true },
  engine: 'js',
  // allowExitOnIdle: otherwise the CLI waits for the pool's idle timeout before exiting.
  adapter: async () =>
    new PrismaPg({ ...poolConfigFromUrl(process.env.DATABASE_URL ?? ''), allowExitOnIdle: true }),
});
