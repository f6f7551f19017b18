import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScanReportSchema } from '@drydock/contract';
import { PLANTED, writePlantedSecretsImage } from '@drydock/test-data/planted-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';

let dir: string;
let image: string;
const run = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--cache-dir', path.join(dir, 'cache')], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-sensitive-'));
  image = path.join(dir, 'planted');
  await writePlantedSecretsImage(image);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('drydock scan --scanners', () => {
  it('secret: the planted secrets in JSON, masked, and nothing else', async () => {
    const result = await run('scan', image, '--scanners', 'secret', '-f', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/advisory database/);
    const report = ScanReportSchema.parse(JSON.parse(result.stdout));
    expect(report.scanners).toEqual(['secret']);
    expect(report.maliciousSamples).toBeUndefined();
    expect(report.sensitive?.every((f) => f.kind === 'secret')).toBe(true);
    expect(report.sensitive?.map((f) => f.ruleId)).toContain('aws-access-token');
    for (const secret of Object.values(PLANTED)) expect(result.stdout).not.toContain(secret);
  });

  it('config: the checks alone; --fail-on counts them', async () => {
    const result = await run(
      'scan',
      image,
      '--scanners',
      'config',
      '-f',
      'json',
      '--fail-on',
      'high',
    );
    const report = ScanReportSchema.parse(JSON.parse(result.stdout));
    expect(new Set(report.sensitive?.map((f) => f.kind))).toEqual(new Set(['config']));
    // The world-writable PATH directory is high priority.
    expect(result.code).toBe(1);
    const low = await run('scan', image, '--scanners', 'config', '--priority', 'low', '-f', 'json');
    expect(
      ScanReportSchema.parse(JSON.parse(low.stdout)).sensitive?.every((f) => f.priority === 'low'),
    ).toBe(true);
  });

  it('SARIF carries secrets and checks as rules and results, with lines and no secret values', async () => {
    const result = await run('scan', image, '--scanners', 'secret,config', '-f', 'sarif');
    const sarif = JSON.parse(result.stdout);
    const run0 = sarif.runs[0];
    const ids = run0.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toContain('secret/github-pat');
    expect(ids).toContain('config/config-root-user');
    const github = run0.results.find((r: { ruleId: string }) => r.ruleId === 'secret/github-pat');
    expect(github.level).toBe('error');
    expect(github.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'app/settings.py' },
      region: { startLine: 3 },
    });
    for (const secret of Object.values(PLANTED)) expect(result.stdout).not.toContain(secret);
  });

  it('the table lists sensitive content', async () => {
    const result = await run('scan', image, '--scanners', 'secret');
    expect(result.stdout).toMatch(/Sensitive content: \d+ \(secrets \d+/);
    expect(result.stdout).toMatch(/AKIA\*+MPLE/);
  });

  it('refuses an unknown scanner', async () => {
    const result = await run('scan', image, '--scanners', 'vuln,secrets');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--scanners: unknown value 'secrets'/);
  });
});
