// `pnpm bench sensitive [--runs N] [image…]`: what the sensitive-content scan (secrets in files
// and the image config, configuration checks; ghost content is matched later) adds to a scan.
// Each image is analyzed alternately without and with it, after one warm-up of each, with the
// malware scan on (as the worker runs) and off (inventory only); medians of N runs are printed.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { analyzeFile } from '@drydock/pipeline';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const shared = path.resolve(import.meta.dirname, '../../../shared/images');
const images = positionals.length
  ? positionals
  : [
      'debian12-python-java.oci.tar',
      'debian12-node-app.tar',
      'go-binaries.tar',
      'malware-samples.tar',
    ].map((f) => path.join(shared, f));
const rules = loadRuleSet();
const engine = await createYaraEngine(rules.source);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(image: string, malware: boolean, sensitive: boolean) {
  const started = performance.now();
  const { report } = await analyzeFile(image, {
    ...(malware ? { malware: { engine, rules } } : {}),
    ...(sensitive ? { sensitive: { secrets: true, config: true } } : {}),
  });
  return { ms: performance.now() - started, findings: report.sensitive?.length ?? 0 };
}

console.log(`runs per figure: ${runs} (median), after one warm-up`);
console.log(
  'image                            malware  without ms  with ms  added  sensitive findings',
);
for (const image of images) {
  for (const malware of [false, true]) {
    await time(image, malware, false);
    await time(image, malware, true);
    const without: number[] = [];
    const withIt: number[] = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      without.push((await time(image, malware, false)).ms);
      const r = await time(image, malware, true);
      withIt.push(r.ms);
      findings = r.findings;
    }
    const a = median(without);
    const b = median(withIt);
    console.log(
      `${path.basename(image).padEnd(32)} ${(malware ? 'on' : 'off').padEnd(7)} ${a.toFixed(0).padStart(10)} ${b.toFixed(0).padStart(8)} ${`${(((b - a) / a) * 100).toFixed(1)}%`.padStart(6)}  ${findings}`,
    );
  }
}
await engine.close();
