import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScanReportSchema } from '@drydock/contract';
import { validateCycloneDx, validateSpdx } from '@drydock/sbom';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';

let cache: string;
const run = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--cache-dir', cache], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
};

beforeAll(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-db-'));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('drydock db update and scan with vulnerabilities', () => {
  it('scans without a database: inventory only, and says how to get one', async () => {
    const result = await run('scan', shared('images', 'debian12-node-app.tar'), '-f', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no advisory database in .*drydock db update --source/);
    expect(ScanReportSchema.parse(JSON.parse(result.stdout)).vulnerabilities).toBeUndefined();
  });

  it('imports a mirror and reports counts per ecosystem', async () => {
    const result = await run(
      'db',
      'update',
      '--source',
      shared('advisories', 'osv', 'npm'),
      '-f',
      'json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).ecosystems.npm).toEqual({
      added: 499,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    });
    const kev = await run('db', 'update', '--source', shared('advisories', 'kev'));
    expect(kev.stdout).toMatch(/known exploited \(CISA KEV\): 1404 CVEs/);
    const status = await run('db', 'status', '-f', 'json');
    expect(JSON.parse(status.stdout).sources).toHaveLength(2);
  });

  it('adds vulnerabilities to the JSON contract, with filters', async () => {
    const result = await run('scan', shared('images', 'debian12-node-app.tar'), '-f', 'json');
    const report = ScanReportSchema.parse(JSON.parse(result.stdout));
    expect(report.vulnerabilities?.map((v) => v.id)).toEqual(
      expect.arrayContaining(['CVE-2020-8203', 'CVE-2021-23337', 'CVE-2021-44906']),
    );
    // The database it was matched against: what it held and where each package was looked up.
    expect(report.advisoryDb).toMatchObject({ records: 499, knownExploited: 1404 });
    expect(report.advisoryDb?.sources).toHaveLength(2);
    expect(report.advisoryDb?.checked).toEqual([
      {
        label: 'npm',
        ecosystems: ['npm'],
        packages: report.packages.filter((p) => p.type === 'npm').length,
      },
    ]);
    const high = ScanReportSchema.parse(
      JSON.parse(
        (
          await run(
            'scan',
            shared('images', 'debian12-node-app.tar'),
            '-f',
            'json',
            '--priority',
            'high',
          )
        ).stdout,
      ),
    );
    expect(high.vulnerabilities?.every((v) => v.priority === 'high')).toBe(true);
    expect(high.vulnerabilities?.length).toBeLessThan(report.vulnerabilities?.length ?? 0);
    const critical = ScanReportSchema.parse(
      JSON.parse(
        (
          await run(
            'scan',
            shared('images', 'debian12-node-app.tar'),
            '-f',
            'json',
            '--severity',
            'critical',
          )
        ).stdout,
      ),
    );
    expect(critical.vulnerabilities?.map((v) => v.id)).toContain('CVE-2021-44906');
    expect(critical.vulnerabilities?.every((v) => v.severity === 'critical')).toBe(true);
  });

  it('fails the pipeline only when findings at or above --fail-on remain', async () => {
    const image = shared('images', 'debian12-node-app.tar');
    expect((await run('scan', image, '--fail-on', 'high')).code).toBe(1);
    expect((await run('scan', image, '--fail-on', 'high', '--exit-code', '7')).code).toBe(7);
    expect((await run('scan', shared('images', 'go-binaries.tar'), '--fail-on', 'high')).code).toBe(
      0,
    );
    expect((await run('scan', image, '--fail-on', 'urgent')).code).toBe(2);
  });

  it('an ignore file suppresses by id and purl until it expires', async () => {
    const file = path.join(cache, 'ignore.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          id: 'CVE-2021-44906',
          purl: 'pkg:npm/minimist@1.2.0',
          reason: 'not reachable: CLI parsing unused',
        },
        { id: 'CVE-2020-8203', expires: '2001-01-01', reason: 'expired waiver' },
      ]),
    );
    const report = ScanReportSchema.parse(
      JSON.parse(
        (
          await run(
            'scan',
            shared('images', 'debian12-node-app.tar'),
            '-f',
            'json',
            '--ignore-file',
            file,
          )
        ).stdout,
      ),
    );
    const ids = report.vulnerabilities?.map((v) => v.id) ?? [];
    expect(ids).not.toContain('CVE-2021-44906');
    expect(ids).toContain('CVE-2020-8203');
    const unfixed = ScanReportSchema.parse(
      JSON.parse(
        (
          await run(
            'scan',
            shared('images', 'debian12-node-app.tar'),
            '-f',
            'json',
            '--ignore-unfixed',
          )
        ).stdout,
      ),
    );
    expect(unfixed.vulnerabilities?.every((v) => v.fixedVersion)).toBe(true);
  });

  it('writes SARIF 2.1.0, CycloneDX 1.6 and SPDX 2.3, each valid', async () => {
    const sarif = JSON.parse(
      (await run('scan', shared('images', 'debian12-node-app.tar'), '-f', 'sarif')).stdout,
    );
    expect(sarif.version).toBe('2.1.0');
    const result = sarif.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'CVE-2021-44906',
    );
    expect(result.level).toBe('error');
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe(
      'app/node_modules/minimist/package.json',
    );
    const rule = sarif.runs[0].tool.driver.rules.find(
      (r: { id: string }) => r.id === 'CVE-2021-44906',
    );
    expect(rule.properties['security-severity']).toBe('9.8');

    const bom = JSON.parse(
      (await run('scan', shared('images', 'debian12-node-app.tar'), '-f', 'cyclonedx')).stdout,
    );
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(await validateCycloneDx(JSON.stringify(bom))).toBeNull();
    expect(bom.components).toHaveLength(156);
    const vuln = bom.vulnerabilities.find((v: { id: string }) => v.id === 'CVE-2021-44906');
    expect(
      bom.components.some((c: { 'bom-ref': string }) => c['bom-ref'] === vuln.affects[0].ref),
    ).toBe(true);
    expect(vuln.ratings[0]).toMatchObject({ severity: 'critical', score: 9.8, method: 'CVSSv31' });

    const spdx = JSON.parse(
      (await run('scan', shared('images', 'debian12-node-app.tar'), '-f', 'spdx-json')).stdout,
    );
    expect(validateSpdx(spdx)).toBeNull();
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    expect(spdx.packages).toHaveLength(157);
  });
});

describe('drydock scan <sbom.json>', () => {
  it('reads an SBOM instead of an image: Drydock’s own gives the image’s findings; a broken one exits 3 with the line', async () => {
    const image = shared('images', 'debian12-node-app.tar');
    const direct = ScanReportSchema.parse(
      JSON.parse((await run('scan', image, '-f', 'json')).stdout),
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-sbom-'));
    try {
      for (const format of ['cyclonedx', 'spdx-json']) {
        const file = path.join(dir, `node-app.${format}.json`);
        await writeFile(file, (await run('scan', image, '-f', format, '--skip-malware')).stdout);
        const viaSbom = await run('scan', file, '-f', 'json');
        expect(viaSbom.code).toBe(0);
        const report = ScanReportSchema.parse(JSON.parse(viaSbom.stdout));
        expect(report.target.format).toBe('sbom');
        const key = (v: {
          id: string;
          purl: string;
          path: string;
          layerIndex: number;
          priority: string;
        }) => `${v.id} ${v.purl} ${v.path} ${v.layerIndex} ${v.priority}`;
        expect((report.vulnerabilities ?? []).map(key).sort()).toEqual(
          (direct.vulnerabilities ?? []).map(key).sort(),
        );
      }
      const broken = path.join(dir, 'broken.json');
      await writeFile(broken, '{\n  "spdxVersion": "SPDX-2.3",\n  "packages": [1, 2]\n}\n');
      const bad = await run('scan', broken);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/at packages\[0\], line 3/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('drydock scan --vex', () => {
  it('leaves out what a VEX says does not apply (by package or by image); conflicting statements are reported and not applied', async () => {
    const image = shared('images', 'debian12-node-app.tar');
    const direct = ScanReportSchema.parse(
      JSON.parse((await run('scan', image, '-f', 'json')).stdout),
    );
    const minimist = direct.vulnerabilities?.find((v) => v.id === 'CVE-2021-44906');
    const jwt = direct.vulnerabilities?.find((v) => v.id === 'CVE-2022-23529');
    expect(minimist && jwt).toBeTruthy();
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.test/vex/cli',
      author: 'test',
      statements: [
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [{ '@id': minimist?.purl }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
        {
          vulnerability: { name: 'CVE-2022-23529' },
          products: [{ '@id': direct.target.configDigest }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
        {
          vulnerability: { name: 'CVE-2022-23529' },
          products: [{ '@id': direct.target.configDigest }],
          status: 'affected',
        },
      ],
    };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-cli-vex-'));
    try {
      const file = path.join(dir, 'vex.json');
      await writeFile(file, JSON.stringify(vex));
      const res = await run('scan', image, '-f', 'json', '--vex', file);
      const ids = new Set(
        ScanReportSchema.parse(JSON.parse(res.stdout)).vulnerabilities?.map((v) => v.id),
      );
      expect(ids.has('CVE-2021-44906')).toBe(false);
      expect(ids.has('CVE-2022-23529')).toBe(true);
      expect(res.stderr).toMatch(
        /VEX https:\/\/example\.test\/vex\/cli: \d+ findings? not affected or fixed, left out/,
      );
      expect(res.stderr).toMatch(
        /conflicting statements about CVE-2022-23529 \(statements\[1\] not_affected, statements\[2\] affected\): none applied/,
      );
      await writeFile(file, '{"statements": []}');
      expect((await run('scan', image, '--vex', file)).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('drydock scan: malicious samples', () => {
  it('adds maliciousSamples to the JSON contract, the table and SARIF; urgent samples fail --fail-on high', async () => {
    const image = shared('images', 'malware-samples.tar');
    const json = await run('scan', image, '-f', 'json');
    const report = ScanReportSchema.parse(JSON.parse(json.stdout));
    expect(report.maliciousSamples).toHaveLength(12);
    expect(
      report.maliciousSamples?.find((s) => s.path === 'tmp/.ICE-unix/.x/dropper.sh'),
    ).toMatchObject({
      category: 'Trojan/Downloader',
      severity: 'urgent',
      deletedInLayer: 6,
    });
    const table = await run('scan', image);
    expect(table.stdout).toMatch(/Malicious samples: 12/);
    expect(table.stdout).toMatch(/URGENT +Miner +Miner_XMRig_Binary +opt\/\.cache\/xmrig/);
    expect(table.code).toBe(0);
    expect((await run('scan', image, '--fail-on', 'high')).code).toBe(1);
    const sarif = JSON.parse((await run('scan', image, '-f', 'sarif')).stdout);
    const webshell = sarif.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'WebShell_PHP_Eval_Request',
    );
    expect(webshell.level).toBe('error');
    const skipped = ScanReportSchema.parse(
      JSON.parse((await run('scan', image, '-f', 'json', '--skip-malware')).stdout),
    );
    expect(skipped.maliciousSamples).toBeUndefined();
  });
});
