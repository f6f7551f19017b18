// Runs the Prisma 6 CLI in the offline mode described in docs/decisions/0003-offline-prisma.md:
// no engine downloads (the engine paths point at an existing file that is never executed).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/db/package.json'));
const cli = require.resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused:unused@127.0.0.1:1/unused',
};
const args = [
  ...process.argv.slice(2),
  '--config',
  path.join(root, 'packages/db/prisma.config.ts'),
];
const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
