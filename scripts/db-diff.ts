// Creates a new migration from the change in prisma/schema.prisma, offline (no shadow database):
// the newest migration folder keeps a snapshot of the schema after it (`schema.prisma`), the next
// diff starts from that snapshot, and the new migration takes it over (older folders keep only
// their SQL; docs/decisions/0003-offline-prisma.md). Usage: pnpm db:diff <name>
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '@drydock/db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: pnpm db:diff <name>   (name: lower_snake_case)');
  process.exit(2);
}
const migrationsDir = path.join(root, 'prisma/migrations');
const previous = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(migrationsDir, d.name, 'schema.prisma')))
  .map((d) => d.name)
  .sort()
  .at(-1);
const from = previous
  ? ['--from-schema-datamodel', path.join(migrationsDir, previous, 'schema.prisma')]
  : ['--from-empty'];
// The engine-less CLI connects to a database even for a datamodel-to-datamodel diff.
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: path.join(root, '.drydock/diff-db') });
const result = spawnSync(
  process.execPath,
  [
    path.join(root, 'scripts/prisma.mjs'),
    'migrate',
    'diff',
    ...from,
    '--to-schema-datamodel',
    path.join(root, 'prisma/schema.prisma'),
    '--script',
  ],
  {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded?.url },
  },
);
await embedded?.stop();
if (result.status !== 0) process.exit(result.status ?? 1);
const sql = result.stdout.replace(/^Loaded Prisma config.*\n/m, '');
if (/^-- This is an empty migration/m.test(sql) || sql.trim() === '') {
  console.error('schema.prisma has no change since the last migration');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir);
writeFileSync(path.join(dir, 'migration.sql'), sql);
copyFileSync(path.join(root, 'prisma/schema.prisma'), path.join(dir, 'schema.prisma'));
// Only the newest snapshot is ever read: the previous one goes.
if (previous) rmSync(path.join(migrationsDir, previous, 'schema.prisma'));
const lock = path.join(migrationsDir, 'migration_lock.toml');
if (!existsSync(lock)) writeFileSync(lock, 'provider = "postgresql"\n');
console.log(`created ${path.relative(root, dir)}/migration.sql`);
