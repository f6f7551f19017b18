// `pnpm bench <suite> [args]`: benchmarks that print figures (never timed tests).
//   pnpm bench scan <image> [--runs N]     cold OS inventory vs `gzip -dc | tar -t`, peak RSS
//   pnpm bench scan --synthetic <MiB>      the same on a generated image of that size
//   pnpm bench workers [--copies N]        images/min with 1, 2 and 4 worker processes
//   pnpm bench uploads [--mib N]           upload into Postgres and back out, MiB/s
//   pnpm bench layers                      per-layer malware cache with a shared base layer
//   pnpm bench start [--runs N]            API and worker start-up time and memory: tsx vs build
//   pnpm bench import [--runs N]           import of the whole shared advisory mirror: time, peak RSS
//   pnpm bench rematch [--images N]        re-match of N stored images after an advisory import
//   pnpm bench triage                      bulk triage of a whole tab and the findings export, at scale
//   pnpm bench sensitive [--runs N] [img…]  cost of the secret and configuration scan per image
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [suite, ...args] = process.argv.slice(2);
const suites: Record<string, string> = {
  scan: 'bench/scan.ts',
  malware: 'bench/malware.ts',
  seed: 'bench/seed.ts',
  api: 'bench/api.ts',
  workers: 'bench/workers.ts',
  uploads: 'bench/uploads.ts',
  layers: 'bench/layer-cache.ts',
  start: 'bench/start.ts',
  import: 'bench/import.ts',
  rematch: 'bench/rematch.ts',
  triage: 'bench/triage.ts',
  sensitive: 'bench/sensitive.ts',
};
const script = suite ? suites[suite] : undefined;
if (!script) {
  console.error(`usage: pnpm bench <${Object.keys(suites).join('|')}> [args]`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, script), ...args],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
