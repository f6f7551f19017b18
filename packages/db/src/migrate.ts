import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIORITY_RANK } from '@drydock/contract';
import pg from 'pg';
import { poolConfigFromUrl } from './pool-config.ts';

const root = path.resolve(import.meta.dirname, '../../..');

// `prisma migrate deploy` in engine-less mode prints its verdict and then idles ~10 s on an open
// handle before exiting; once the verdict is printed the work is committed, so we stop it there.
const SUCCESS = /No pending migrations to apply|All migrations have been successfully applied/;

/**
 * Applies pending migrations from prisma/migrations with `prisma migrate deploy`, in the offline
 * engine-less mode (scripts/prisma.mjs). Resolves when the database is up to date.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  let output = '';
  const ok = await new Promise<boolean>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts/prisma.mjs'), 'migrate', 'deploy'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Resolved by 'close' below, once the process (and its connections) are gone.
      if (SUCCESS.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', () => resolve(SUCCESS.test(output)));
  });
  if (!ok) {
    throw new Error(`database migration failed:\n${output.trim()}`);
  }
  await applyFunctions(databaseUrl);
}

/** `priority_rank(text)` from the contract's ranking (inlined by the planner: IMMUTABLE SQL). */
export function priorityRankFunction(): string {
  const arms = Object.entries(PRIORITY_RANK).map(([k, v]) => `WHEN '${k}' THEN ${Number(v)}`);
  return `CREATE OR REPLACE FUNCTION priority_rank(p text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE p ${arms.join(' ')} ELSE 0 END $$;`;
}

/** Repeatable functions and triggers (prisma/functions.sql), idempotent, run after every deploy. */
async function applyFunctions(databaseUrl: string): Promise<void> {
  const client = new pg.Client(poolConfigFromUrl(databaseUrl));
  await client.connect();
  try {
    await client.query(priorityRankFunction());
    await client.query(await readFile(path.join(root, 'prisma/functions.sql'), 'utf8'));
  } catch (error) {
    throw new Error(`database functions failed: ${(error as Error).message}`);
  } finally {
    await client.end();
  }
}
