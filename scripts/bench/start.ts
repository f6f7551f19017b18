// `pnpm bench start [--runs N]`: start-up time and memory of the API and the worker, run from the
// TypeScript sources through tsx (as before the build) and from the JavaScript build (`pnpm
// start`). Ready = the API answers /api/health, the worker logs "worker ready"; memory = the
// process's resident set 2 s after that, idle.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@drydock/db';
import { buildServer } from '../build.mjs';
import { openBenchDatabase } from './bench-db.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '../..');

const rssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
};

const MODES = {
  tsx: (entry: string) => ['--import', 'tsx', path.join(root, entry)],
  build: (entry: string) => [
    '--conditions=drydock:dist',
    path.join(root, entry.replace('/src/', '/dist/').replace(/\.ts$/, '.js')),
  ],
};

async function once(
  mode: keyof typeof MODES,
  part: 'api' | 'worker',
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const entry = part === 'api' ? 'apps/api/src/server.ts' : 'apps/worker/src/main.ts';
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, MODES[mode](entry), {
    cwd: root,
    env: { ...env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${part} (${mode}) exited:\n${out}`);
      if (part === 'worker' && out.includes('worker ready')) break;
      if (part === 'api') {
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 2000));
    return { ms, rss: rssMiB(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-start-'));
const db = await openBenchDatabase({ dataDir: dir, port: await freePort(), ephemeral: true });
await buildServer();
const env = {
  ...process.env,
  DATABASE_URL: db.url,
  DRYDOCK_SECRET_KEY: 'bench-start-secret-key-0123456789abcdef',
  DRYDOCK_DATA_DIR: dir,
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`start-up to ready and idle RSS, median of ${runs} runs (${os.cpus().length} cores)`);
console.log('part    mode    ready (ms)   RSS (MiB)');
try {
  for (const part of ['api', 'worker'] as const) {
    for (const mode of ['tsx', 'build'] as const) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await once(mode, part, env));
      console.log(
        `${part.padEnd(8)}${mode.padEnd(8)}${median(results.map((r) => r.ms))
          .toFixed(0)
          .padStart(10)}${median(results.map((r) => r.rss))
          .toFixed(0)
          .padStart(12)}`,
      );
    }
  }
} finally {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
