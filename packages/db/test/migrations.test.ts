import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const prismaDir = path.resolve(import.meta.dirname, '../../../prisma');
const migrations = readdirSync(path.join(prismaDir, 'migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('migrations', () => {
  it('every schema change has its migration: the newest snapshot is prisma/schema.prisma', () => {
    const newest = migrations.at(-1) as string;
    const snapshot = path.join(prismaDir, 'migrations', newest, 'schema.prisma');
    expect(existsSync(snapshot), `${newest} keeps the schema snapshot`).toBe(true);
    expect(readFileSync(snapshot, 'utf8')).toBe(
      readFileSync(path.join(prismaDir, 'schema.prisma'), 'utf8'),
    );
  });

  it('only the newest migration keeps a snapshot (pnpm db:diff reads no other)', () => {
    const withSnapshot = migrations.filter((m) =>
      existsSync(path.join(prismaDir, 'migrations', m, 'schema.prisma')),
    );
    expect(withSnapshot).toEqual([migrations.at(-1)]);
    for (const m of migrations) {
      expect(existsSync(path.join(prismaDir, 'migrations', m, 'migration.sql'))).toBe(true);
    }
  });
});
