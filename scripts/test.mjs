// `pnpm test`: every test suite — unit and integration (vitest, real PostgreSQL), then end-to-end
// (Playwright, real stack in Debian's Chromium). Ends with one line `N passed, N failed` and a
// non-zero exit when anything failed or a suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.test-output');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const bin = (name) => path.join(root, 'node_modules/.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

let passed = 0;
let failed = 0;
let broken = false;

// The launcher tests and the end-to-end stack run the server from its build, as `pnpm start` does.
if (run(process.execPath, ['scripts/build.mjs']) !== 0) {
  console.error('server build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const vitestStatus = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${path.join(out, 'vitest.json')}`,
]);
const vitest = readJson(path.join(out, 'vitest.json'));
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
}
if (vitestStatus !== 0 && (!vitest || vitest.numFailedTests === 0)) broken = true;

const buildStatus = run('pnpm', ['--filter', '@drydock/web', 'build']);
if (buildStatus !== 0) {
  broken = true;
  console.error('console build failed: end-to-end tests not run');
} else {
  const e2eStatus = run(bin('playwright'), ['test']);
  const e2e = readJson(path.join(out, 'playwright.json'));
  if (e2e) {
    passed += e2e.stats.expected + e2e.stats.flaky;
    failed += e2e.stats.unexpected;
  }
  if (e2eStatus !== 0 && (!e2e || e2e.stats.unexpected === 0)) broken = true;
}

if (broken) console.error('a test suite could not run to completion (see above)');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken || passed === 0 ? 1 : 0);
