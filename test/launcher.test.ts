import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../packages/db/src/embedded.ts';

const root = path.resolve(import.meta.dirname, '..');

function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitHealthy(port: number, timeoutMs = 60_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return res.json();
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('launcher did not become healthy');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  return exited;
}

describe('pnpm start (scripts/start.mjs) on the embedded database', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves health with the database up, stops every process on Ctrl-C, keeps data', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-launcher-'));
    const port = await freePort();
    const pgPort = await freePort();
    const env = { PORT: String(port), DRYDOCK_DATA_DIR: dataDir, DRYDOCK_PG_PORT: String(pgPort) };

    const first = start(env);
    const health = await waitHealthy(port);
    expect(health).toMatchObject({ status: 'ok', database: { status: 'up' } });

    const { user, password } = JSON.parse(
      await readFile(path.join(dataDir, 'postgres-credentials.json'), 'utf8'),
    ) as { user: string; password: string };
    const url = `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/drydock`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      "INSERT INTO registry_instance (id, name, url, updated_at) VALUES (gen_random_uuid(), 'kept', 'http://r', now())",
    );
    await client.end();

    expect(await stop(first)).toBe(0);
    // API, worker and database are all gone.
    expect(await listening(port)).toBe(false);
    expect(await listening(pgPort)).toBe(false);

    const second = start(env);
    try {
      await waitHealthy(port);
      const again = new pg.Client({ connectionString: url });
      await again.connect();
      const { rows } = await again.query('SELECT name FROM registry_instance');
      await again.end();
      expect(rows).toEqual([{ name: 'kept' }]);
    } finally {
      expect(await stop(second)).toBe(0);
    }
    expect(await listening(pgPort)).toBe(false);
  }, 120_000);
});
