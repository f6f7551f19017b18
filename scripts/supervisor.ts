// The supervisor behind `pnpm start` (scripts/start.mjs runs it in a session of its own).
// Uses DATABASE_URL when set, otherwise starts the embedded PostgreSQL in
// $DRYDOCK_DATA_DIR/postgres; applies migrations; then runs the API (which serves the console)
// and one worker as child processes, and stops all of them, in order, on SIGTERM. A child that
// crashes is restarted with backoff; only a crash loop (DRYDOCK_CRASH_LIMIT crashes of one child
// within a minute) or the embedded database dying stops everything, saying why.
// `--dev` (pnpm dev) adds reload and the Vite dev server. DRYDOCK_ROLE=api|worker runs only one
// of them (docker-compose, scale-out).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyMigrations, type EmbeddedDatabase, startEmbeddedPostgres } from '@drydock/db';

const root = path.resolve(import.meta.dirname, '..');

const dataDir = path.resolve(process.env.DRYDOCK_DATA_DIR ?? path.join(root, '.drydock'));
const log = (message: string) => console.error(`[drydock] ${message}`);

async function secretKey(): Promise<string | undefined> {
  if (process.env.DRYDOCK_SECRET_KEY) return process.env.DRYDOCK_SECRET_KEY;
  // With an external database the operator provides the key (the API refuses to start without
  // one). The embedded default generates one per installation and keeps it with its data.
  if (process.env.DATABASE_URL) return undefined;
  const file = path.join(dataDir, 'secret-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  log(`generated a secret key in ${file}`);
  return key;
}

const role = process.env.DRYDOCK_ROLE ?? 'all';
if (!['all', 'api', 'worker'].includes(role)) {
  log(`DRYDOCK_ROLE must be all, api or worker (got '${role}')`);
  process.exit(2);
}
if (role !== 'all' && !process.env.DATABASE_URL) {
  log(`DRYDOCK_ROLE=${role} needs DATABASE_URL: the embedded database serves only role 'all'`);
  process.exit(2);
}

const dev = process.argv.includes('--dev');
/** Crashes of one child within CRASH_WINDOW_MS that stop everything (a crash loop). */
const CRASH_LIMIT = Math.max(1, Number(process.env.DRYDOCK_CRASH_LIMIT ?? 5) || 5);
const CRASH_WINDOW_MS = 60_000;
const children = new Map<string, ChildProcess>();
const crashes = new Map<string, number[]>();
const restarts = new Map<string, NodeJS.Timeout>();
let embedded: EmbeddedDatabase | undefined;
let stopping = false;
let exitCode = 0;

async function finish(): Promise<void> {
  if (embedded) {
    log('stopping embedded PostgreSQL');
    await embedded.stop();
  }
  log('stopped');
  process.exit(exitCode);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const timer of restarts.values()) clearTimeout(timer);
  restarts.clear();
  if (children.size === 0) return finish();
  for (const child of children.values()) child.kill('SIGTERM');
}

// Registered before start-up, so a signal during start-up still stops the database.
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** Why a child ended, in words: a signal (SIGKILL is also what the kernel's OOM killer sends). */
const exitReason = (code: number | null, signal: NodeJS.Signals | null) =>
  signal
    ? `${signal}${signal === 'SIGKILL' ? ', killed (by hand or out of memory)' : ''}`
    : `exit code ${code}`;

/**
 * How a child runs: `pnpm dev` from the TypeScript sources through tsx, restarting on changes;
 * `pnpm start` from the JavaScript build (scripts/build.mjs), whose workspace imports resolve to
 * the packages' builds through the `drydock:dist` export condition.
 */
const nodeArgs = (entry: string) =>
  dev
    ? ['--import', 'tsx', '--watch', '--watch-preserve-output', path.join(root, entry)]
    : [
        '--conditions=drydock:dist',
        path.join(root, entry.replace('/src/', '/dist/').replace(/\.ts$/, '.js')),
      ];

function run(name: string, entry: string, args?: string[], nodeFlags: string[] = []): void {
  const argv = args ?? [...nodeFlags, ...nodeArgs(entry)];
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio: 'inherit' });
  children.set(name, child);
  log(`${name} started (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) {
      if (children.size === 0) void finish();
      return;
    }
    // Supervised like a service manager would: restart with backoff, give up on a crash loop.
    const now = Date.now();
    const recent = [...(crashes.get(name) ?? []), now].filter((t) => now - t < CRASH_WINDOW_MS);
    crashes.set(name, recent);
    const reason = exitReason(code, signal);
    if (recent.length >= CRASH_LIMIT) {
      log(
        `${name} exited unexpectedly (${reason}), ${recent.length} times within ${CRASH_WINDOW_MS / 1000} s: a crash loop; stopping everything`,
      );
      void shutdown(1);
      return;
    }
    const delay = Math.min(30_000, 1000 * 2 ** (recent.length - 1));
    log(
      `${name} exited unexpectedly (${reason}); restart ${recent.length} of at most ${CRASH_LIMIT - 1} within ${CRASH_WINDOW_MS / 1000} s, in ${delay / 1000} s`,
    );
    restarts.set(
      name,
      setTimeout(() => {
        restarts.delete(name);
        if (stopping) return;
        run(name, entry, args, nodeFlags);
      }, delay),
    );
  });
}

/** Runs a start-up step; a failure (or a signal meanwhile) stops what already runs. */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn();
    if (stopping) await finish();
    return value;
  } catch (error) {
    log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
    stopping = true;
    await finish();
    throw error;
  }
}

await mkdir(dataDir, { recursive: true });
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  log(`starting embedded PostgreSQL in ${path.join(dataDir, 'postgres')}`);
  embedded = await step('starting the embedded database', () =>
    startEmbeddedPostgres({
      dataDir,
      port: process.env.DRYDOCK_PG_PORT ? Number(process.env.DRYDOCK_PG_PORT) : undefined,
    }),
  );
  databaseUrl = embedded.url;
  log(`embedded PostgreSQL listening on 127.0.0.1:${embedded.port}`);
  embedded.onUnexpectedExit((detail) => {
    log(
      `embedded PostgreSQL exited unexpectedly (${detail}): the API and workers cannot work without it; stopping everything (start again to recover)`,
    );
    embedded = undefined;
    void shutdown(1);
  });
}
// Every role migrates: `migrate deploy` takes an advisory lock, so concurrent starts are safe.
log('applying database migrations');
await step('database migration', () => applyMigrations(databaseUrl));
const key = await step('reading the secret key', secretKey);
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  DRYDOCK_SECRET_KEY: key,
  DRYDOCK_DATA_DIR: dataDir,
};

if (role !== 'worker') {
  run('api', 'apps/api/src/server.ts');
  log(`console on http://localhost:${process.env.PORT ?? '8080'}`);
}
// The worker's heap limit: it fails an image that would exceed it (with the reason) before V8
// does; DRYDOCK_WORKER_MEMORY_MB sets it, Node's default otherwise.
const workerFlags = process.env.DRYDOCK_WORKER_MEMORY_MB
  ? [`--max-old-space-size=${Number(process.env.DRYDOCK_WORKER_MEMORY_MB)}`]
  : [];
if (role !== 'api') run('worker', 'apps/worker/src/main.ts', undefined, workerFlags);
if (dev && role !== 'worker') {
  const vite = path.join(root, 'apps/web/node_modules/vite/bin/vite.js');
  run('console', '', [vite, path.join(root, 'apps/web')]);
  log('console with hot reload on http://localhost:5173');
}
