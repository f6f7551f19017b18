import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import { type ScanReport, ScanReportSchema } from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { PLANTED, writePlantedSecretsImage } from '@drydock/test-data/planted-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile, matchReport } from '../src/index.ts';

const ALL = { secrets: true, config: true };
let dir: string;
let planted: ScanReport;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-sensitive-'));
  await writePlantedSecretsImage(path.join(dir, 'planted'));
  planted = (await analyzeFile(path.join(dir, 'planted'), { sensitive: ALL })).report;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const where = (r: ScanReport, ruleId: string) =>
  (r.sensitive ?? []).filter((f) => f.ruleId === ruleId).map((f) => f.location);

describe('secrets in files', () => {
  it('finds each planted credential where it was put, by rule', () => {
    const report = ScanReportSchema.parse(planted);
    expect(where(report, 'aws-access-token')).toEqual(['app/.env']);
    expect(where(report, 'aws-secret-access-key')).toEqual(['app/.env']);
    expect(where(report, 'private-key')).toEqual(['app/deploy_key']);
    expect(where(report, 'database-url-password')).toEqual(['app/settings.py']);
    expect(where(report, 'github-pat')).toEqual(['app/settings.py']);
    expect(where(report, 'slack-bot-token')).toEqual(['app/notify.js']);
    expect(where(report, 'stripe-access-token')).toEqual(['app/notify.js']);
    expect(where(report, 'npmrc-auth')).toEqual(['root/.npmrc']);
    expect(where(report, 'netrc-password')).toEqual(['root/.netrc']);
    expect(where(report, 'git-credentials')).toEqual(['root/.git-credentials']);
    expect(where(report, 'docker-config-auth')).toEqual(['root/.docker/config.json']);
    const github = report.sensitive?.find((f) => f.ruleId === 'github-pat');
    expect(github).toMatchObject({
      kind: 'secret',
      priority: 'high',
      line: 3,
      layerIndex: 1,
      createdBy: 'COPY . /app # buildkit',
    });
  });

  it('never keeps a secret: a masked preview and its SHA-256 only, anywhere in the report', async () => {
    const text = JSON.stringify(planted);
    for (const secret of Object.values(PLANTED)) expect(text).not.toContain(secret);
    const aws = planted.sensitive?.find((f) => f.ruleId === 'aws-access-token');
    expect(aws?.preview).toBe('AKIA************MPLE');
    const { createHash } = await import('node:crypto');
    expect(aws?.secretSha256).toBe(createHash('sha256').update(PLANTED.awsKeyId).digest('hex'));
  });

  it('reports a file a later layer deleted with both layers: it still ships', () => {
    const env = planted.sensitive?.filter((f) => f.location === 'app/.env') ?? [];
    expect(env.length).toBe(2);
    for (const f of env) {
      expect(f).toMatchObject({
        layerIndex: 1,
        deletedInLayer: 2,
        deletedBy: 'RUN /bin/sh -c rm /app/.env # buildkit',
      });
      expect(f.description).toMatch(
        /added in layer 1 by COPY \. \/app.*deleted in layer 2.*still downloadable/,
      );
    }
  });

  it('leaves out package test fixtures and placeholders', () => {
    const paths = (planted.sensitive ?? []).map((f) => f.location);
    expect(paths.some((p) => p.includes('node_modules'))).toBe(false);
    expect(paths).not.toContain('app/README.md');
  });
});

describe('secrets in the image config', () => {
  it('finds ENV values and build arguments, and masks them in the history the report keeps', () => {
    expect(where(planted, 'env-secret')).toEqual(['config:Env/API_TOKEN']);
    const arg = planted.sensitive?.find((f) => f.location === 'history[6]');
    expect(arg).toMatchObject({ kind: 'secret', layerIndex: 3 });
    expect(arg?.createdBy).not.toContain(PLANTED.buildArg);
    expect(planted.layers[3]?.createdBy).toMatch(/^RUN \|1 NPM_TOKEN=npm_\*+/);
    // A _FILE variable names where the secret is, not the secret.
    expect(where(planted, 'env-secret')).not.toContain('config:Env/DB_PASSWORD_FILE');
  });
});

describe('image configuration checks', () => {
  it('flags each risky setting once, with a fix', () => {
    const byRule = new Map(
      (planted.sensitive ?? [])
        .filter((f) => f.kind === 'config')
        .map((f) => [`${f.ruleId} ${f.location}`, f]),
    );
    expect([...byRule.keys()].sort()).toEqual([
      'config-add-url history[2]',
      'config-latest-base config:Labels/org.opencontainers.image.base.name',
      'config-no-healthcheck config:Healthcheck',
      'config-package-cache var/lib/apt/lists',
      'config-root-user config:User',
      'config-setuid-outside-system usr/local/bin/netdiag',
      'config-ssh-server usr/sbin/sshd',
      'config-world-writable-path usr/local/bin',
    ]);
    for (const f of byRule.values()) expect(f.fix.length).toBeGreaterThan(20);
    expect(byRule.get('config-setuid-outside-system usr/local/bin/netdiag')?.layerIndex).toBe(3);
  });

  it('runs only the scanners asked for', async () => {
    const secretsOnly = (
      await analyzeFile(path.join(dir, 'planted'), { sensitive: { secrets: true, config: false } })
    ).report;
    expect(secretsOnly.sensitive?.some((f) => f.kind === 'config')).toBe(false);
    expect(secretsOnly.scanners).toEqual(['vuln', 'secret']);
    const none = (await analyzeFile(path.join(dir, 'planted'))).report;
    expect(none.sensitive).toBeUndefined();
  });
});

describe('clean images', () => {
  it.each([
    'debian12-node-app.tar',
    'debian12-python-java.oci.tar',
    'alpine-311.tar.gz',
    'go-binaries.tar',
  ])('%s: no secrets', async (image) => {
    const { report } = await analyzeFile(shared('images', image), { sensitive: ALL });
    expect(report.sensitive?.filter((f) => f.kind === 'secret')).toEqual([]);
  });
});

describe('ghost content', () => {
  it('names the vulnerable package a later layer deleted, with both steps', async () => {
    const dbDir = path.join(dir, 'db');
    const db = await AdvisoryDb.open(dbDir);
    await importAdvisories(db, shared('advisories', 'osv', 'npm'));
    const { report } = await analyzeFile(shared('images', 'debian12-node-app.tar'), {
      sensitive: ALL,
    });
    expect(
      report.removedPackages?.map(
        (p) => `${p.name}@${p.version} ${p.layerIndex}->${p.deletedInLayer}`,
      ),
    ).toEqual(['ws@7.4.5 4->5']);
    const matched = await matchReport(report, db);
    const ghost = matched.sensitive?.filter((f) => f.kind === 'ghost') ?? [];
    expect(ghost.length).toBe(1);
    expect(ghost[0]).toMatchObject({
      ruleId: 'ghost-package',
      location: 'app/node_modules/ws/package.json',
      layerIndex: 4,
      deletedInLayer: 5,
      deletedBy: 'RUN /bin/sh -c rm -rf node_modules/ws # buildkit',
      package: { name: 'ws', version: '7.4.5', type: 'npm' },
    });
    expect(ghost[0]?.vulnerabilities).toContain('CVE-2021-32640');
    // The installed inventory does not claim it.
    expect(matched.vulnerabilities?.some((v) => v.packageName === 'ws')).toBe(false);
  });
});
