import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@drydock/db';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', DRYDOCK_ADVISORY_REFRESH: 'off', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** The launcher's own lines on stderr, as they come. */
function launcherLog(child: ChildProcess) {
  const lines: string[] = [];
  let rest = '';
  child.stderr?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.startsWith('[drydock]')) lines.push(l.slice(10));
  });
  return {
    lines,
    /** Waits for a line matching `re` (after `from` lines) and returns its match. */
    async wait(re: RegExp, timeoutMs = 60_000, from = 0): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const l of lines.slice(from)) {
          const m = re.exec(l);
          if (m) return m;
        }
        if (Date.now() > deadline) throw new Error(`no line ${re} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

const health = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
    status: string;
    workers: { alive: number } | null;
  };

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

  it('restarts a killed worker while the console keeps serving; a crash loop stops everything, saying why', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-launcher-'));
    const port = await freePort();
    const pgPort = await freePort();
    const launcher = start({
      PORT: String(port),
      DRYDOCK_DATA_DIR: dir,
      DRYDOCK_PG_PORT: String(pgPort),
      DRYDOCK_CRASH_LIMIT: '3',
    });
    const log = launcherLog(launcher);
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    try {
      await waitHealthy(port);
      const firstPid = Number((await log.wait(/^worker started \(pid (\d+)\)/))[1]);
      // kill -9, as the OOM killer would.
      process.kill(firstPid, 'SIGKILL');
      await log.wait(
        /^worker exited unexpectedly \(SIGKILL, killed \(by hand or out of memory\)\); restart 1 of at most 2 within 60 s, in 1 s$/,
      );
      // The console never went away.
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      const secondPid = Number(
        (await log.wait(/^worker started \(pid (\d+)\)/, 30_000, log.lines.length))[1],
      );
      expect(secondPid).not.toBe(firstPid);
      // The new worker beats: the health endpoint counts it.
      const deadline = Date.now() + 30_000;
      while ((await health(port)).workers?.alive !== 1) {
        if (Date.now() > deadline) throw new Error('restarted worker not seen alive');
        await new Promise((r) => setTimeout(r, 250));
      }
      // Two more crashes within the minute: a crash loop, so everything stops, with the reason.
      process.kill(secondPid, 'SIGKILL');
      const thirdPid = Number(
        (
          await log.wait(
            /^worker started \(pid (\d+)\)/,
            30_000,
            log.lines.indexOf(`worker started (pid ${secondPid})`) + 1,
          )
        )[1],
      );
      process.kill(thirdPid, 'SIGKILL');
      await log.wait(
        /^worker exited unexpectedly \(SIGKILL.*\), 3 times within 60 s: a crash loop; stopping everything$/,
      );
      expect(await exited).toBe(1);
      expect(await listening(port)).toBe(false);
      expect(await listening(pgPort)).toBe(false);
    } finally {
      if (launcher.exitCode === null) await stop(launcher);
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('stops everything with the reason when the embedded database dies', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-launcher-'));
    const port = await freePort();
    const launcher = start({ PORT: String(port), DRYDOCK_DATA_DIR: dir });
    const log = launcherLog(launcher);
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    try {
      await waitHealthy(port);
      // The postmaster's pid is the first line of postmaster.pid.
      const pid = Number(
        (await readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      process.kill(pid, 'SIGKILL');
      await log.wait(
        /^embedded PostgreSQL exited unexpectedly \(killed by SIGKILL\): the API and workers cannot work without it; stopping everything/,
      );
      expect(await exited).toBe(1);
      expect(await listening(port)).toBe(false);
    } finally {
      if (launcher.exitCode === null) await stop(launcher);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
