// `pnpm build:server`: compiles the API, the worker and the packages they run on from TypeScript
// to JavaScript (`<package>/dist`, same layout as `src`), so `pnpm start` runs plain Node.js
// instead of transpiling at run time. Type checking is `pnpm typecheck`'s job (tsc --noCheck
// here); a package whose sources are older than its last build is skipped. The built code finds
// its workspace dependencies' builds through the `drydock:dist` export condition
// (`node --conditions=drydock:dist`); everything else (tests, tsx, Vite) reads the sources.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUILT = [
  'packages/contract',
  'packages/net',
  'packages/zip',
  'packages/scanner',
  'packages/advisories',
  'packages/config',
  'packages/malware',
  'packages/sensitive',
  'packages/pipeline',
  'packages/db',
  'packages/registry',
  'packages/sbom',
  'apps/api',
  'apps/worker',
];
/** Files next to the sources that the built code loads at run time. */
const ASSETS = { 'packages/malware': ['yara-worker.mjs'] };

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return t;
}

function stale(pkg) {
  const info = path.join(root, pkg, 'dist/.tsbuildinfo');
  if (!existsSync(info)) return true;
  const built = statSync(info).mtimeMs;
  return (
    newest(path.join(root, pkg, 'src')) > built ||
    statSync(path.join(root, 'tsconfig.build.json')).mtimeMs > built
  );
}

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const compile = (pkg) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', path.join(pkg, 'tsconfig.build.json')], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${pkg}: tsc ${code}`))));
  });

export async function buildServer({ quiet = false } = {}) {
  const todo = BUILT.filter(stale);
  const started = Date.now();
  // Two at a time: each tsc is one process on one core.
  const queue = [...todo];
  await Promise.all(
    [0, 1].map(async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) await compile(pkg);
    }),
  );
  for (const [pkg, files] of Object.entries(ASSETS)) {
    for (const f of files) {
      copyFileSync(path.join(root, pkg, 'src', f), path.join(root, pkg, 'dist', f));
    }
  }
  if (!quiet) {
    console.error(
      todo.length
        ? `[drydock] built ${todo.length} package(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`
        : '[drydock] server build is up to date',
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildServer().catch((error) => {
    console.error(`[drydock] build failed: ${error.message}`);
    process.exit(1);
  });
}
