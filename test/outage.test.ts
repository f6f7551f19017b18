import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  applyMigrations,
  type EmbeddedDatabase,
  freePort,
  startEmbeddedPostgres,
} from '@drydock/db';
import { shared } from '@drydock/test-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/wait.ts';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The database goes away under a running API and worker (a PostgreSQL restart, a cut
 * connection) and comes back: both processes stay up, the API answers 503 with a problem body
 * meanwhile, and both reconnect by themselves.
 */
describe('database outage under a running API and worker', () => {
  let dir: string;
  let db: EmbeddedDatabase;
  let pgPort: number;
  let port: number;
  const processes: ChildProcess[] = [];
  const token = `ddk_test_${randomUUID()}`;

  const startDb = () =>
    startEmbeddedPostgres({ dataDir: dir, port: pgPort, ephemeral: true, database: 'drydock' });
  const spawnPart = (entry: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: 'ignore',
    });
    processes.push(child);
    return child;
  };
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}${url}`, { headers });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-outage-'));
    pgPort = await freePort();
    port = await freePort();
    db = await startDb();
    await applyMigrations(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      "INSERT INTO app_user (id, username, password_hash, role) VALUES (gen_random_uuid(), 'root', '!', 'admin') RETURNING id",
    );
    await client.query(
      "INSERT INTO api_token (id, name, token_hash, prefix, role, user_id) VALUES (gen_random_uuid(), 't', $1, 'ddk_test', 'admin', $2)",
      [createHash('sha256').update(token).digest('hex'), rows[0].id],
    );
    await client.end();
    const env = {
      DATABASE_URL: db.url,
      DRYDOCK_SECRET_KEY: 'outage-test-secret-key-0123456789abcdef',
      DRYDOCK_ADVISORY_REFRESH: 'off',
      DRYDOCK_DATA_DIR: dir,
      DRYDOCK_ADVISORY_MIRRORS: shared('advisories'),
      DRYDOCK_SUPERVISE_SECONDS: '1',
      PORT: String(port),
    };
    spawnPart('apps/api/src/server.ts', env);
    spawnPart('apps/worker/src/main.ts', env);
    await waitFor(
      async () => ((await get('/api/health').catch(() => undefined))?.ok ? true : undefined),
      60_000,
      'API up',
    );
  }, 120_000);
  afterAll(async () => {
    for (const p of processes) if (p.exitCode === null) p.kill('SIGTERM');
    await db?.stop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 while the database is away, and both processes reconnect when it is back', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await get('/api/v1/summary', auth)).status).toBe(200);
    await db.stop();

    const health = await get('/api/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      database: { status: 'down' },
      scans: { state: 'unknown' },
    });
    for (const [url, headers] of [
      ['/api/v1/summary', auth],
      ['/api/v1/setup', {}],
    ] as const) {
      const res = await get(url, headers);
      expect([url, res.status]).toEqual([url, 503]);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe('database_unavailable');
    }
    // Away for a while: every poll of the worker fails meanwhile; nobody exits.
    await new Promise((r) => setTimeout(r, 4000));
    expect(processes.map((p) => p.exitCode)).toEqual([null, null]);

    db = await startDb();
    await waitFor(
      async () => ((await get('/api/v1/summary', auth)).status === 200 ? true : undefined),
      30_000,
      'API serving again',
    );
    // The worker takes jobs again: an import queued through the API completes.
    const queued = await fetch(`http://127.0.0.1:${port}/api/v1/advisories/import`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ source: shared('advisories', 'osv', 'npm') }),
    });
    expect(queued.status).toBe(202);
    await waitFor(
      async () => {
        const s = (await (await get('/api/v1/advisories/status', auth)).json()) as {
          advisories: number;
        };
        return s.advisories > 0 ? s : undefined;
      },
      60_000,
      'import by the reconnected worker',
    );
    const after = await (await get('/api/health')).json();
    expect(after).toMatchObject({ status: 'ok', workers: { alive: 1 } });
    expect(processes.map((p) => p.exitCode)).toEqual([null, null]);
  }, 150_000);
});
