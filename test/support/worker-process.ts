import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** host:pid, as the worker records it on the scan jobs it runs. */
  id: string;
  exited: Promise<number | null>;
}

/**
 * A real worker process (`apps/worker/src/main.ts`), as on another machine: it shares only the
 * database URL and the secret key. Resolves once the worker logged "worker ready".
 */
export async function spawnWorker(
  databaseUrl: string,
  secretKey: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DRYDOCK_SECRET_KEY: secretKey,
      DRYDOCK_ADVISORY_REFRESH: 'off',
      WORKER_CONCURRENCY: '1',
      DRYDOCK_SUPERVISE_SECONDS: '1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (output.length < 100_000) output += d.toString();
      if (output.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (output.length < 100_000) output += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
  return { child, id: `${hostname()}:${child.pid}`, exited };
}

export async function stopWorker(w: WorkerProcess | undefined): Promise<void> {
  if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  await w.exited;
}
