// `pnpm start` / `pnpm dev`. A terminal's Ctrl-C signals its whole foreground process group,
// PostgreSQL included, which would stop the database under a still-running API. So this front
// process runs the supervisor (scripts/supervisor.ts) in a session of its own and forwards the
// signal; the supervisor stops API and worker first and the database last.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// `pnpm start` runs the API and the worker from their JavaScript build (only what changed is
// compiled again); `pnpm dev` runs the sources.
if (!process.argv.includes('--dev')) {
  const { buildServer } = await import('./build.mjs');
  await buildServer().catch((error) => {
    console.error(`[drydock] build failed: ${error.message}`);
    process.exit(1);
  });
}
const supervisor = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(here, 'supervisor.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', detached: true },
);
const forward = () => supervisor.kill('SIGTERM');
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
supervisor.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
