import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ScanReport, VulnerabilityFindingSchema } from '@drydock/contract';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryDb, importAdvisories, matchInventory } from '../src/index.ts';

let dir: string;
let db: AdvisoryDb;
const reports = new Map<string, ScanReport>();

async function findings(image: string, platform?: string) {
  let report = reports.get(image);
  if (!report) {
    report = (await scanImage(shared('images', image), platform ? { platform } : {})).report;
    reports.set(image, report);
  }
  const result = await matchInventory(report, db);
  for (const f of result) VulnerabilityFindingSchema.parse(f);
  return { report, result };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
  db = await AdvisoryDb.open(dir);
  await importAdvisories(db, shared('advisories'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import', () => {
  it('is idempotent: a second import of the same mirror changes nothing', async () => {
    const again = await importAdvisories(
      await AdvisoryDb.open(dir),
      shared('advisories', 'osv', 'npm'),
    );
    expect(again.ecosystems.npm).toEqual({ added: 0, updated: 0, unchanged: 499, skipped: 0 });
  });

  it('reports counts per ecosystem and reads KEV and CVE records', async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
    try {
      const report = await importAdvisories(await AdvisoryDb.open(fresh), shared('advisories'));
      expect(report.ecosystems.Go?.added).toBe(4291);
      expect(report.ecosystems.Debian?.added).toBe(579);
      expect(report.ecosystems.Alpine?.added).toBe(1389);
      expect(report.knownExploited).toBe(1404);
      expect(report.cveRecords).toBe(34);
      expect(report.warnings).toEqual([]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('matching real images against real advisories', () => {
  it('node-app: lodash and minimist, with fixes, priorities and the layer that brought them', async () => {
    const { report, result } = await findings('debian12-node-app.tar');
    const lodash = result.filter((f) => f.packageName === 'lodash').map((f) => f.id);
    expect(lodash).toEqual(expect.arrayContaining(['CVE-2020-8203', 'CVE-2021-23337']));
    const minimist = result.find((f) => f.packageName === 'minimist' && f.id === 'CVE-2021-44906');
    expect(minimist).toMatchObject({
      category: 'application',
      installedVersion: '1.2.0',
      fixedVersion: '1.2.6',
      status: 'fixed',
      severity: 'critical',
      priority: 'high',
      fixCommand: 'npm install minimist@1.2.6',
      cause: 'installed 1.2.0 is lower than fixed 1.2.6',
      path: 'app/node_modules/minimist/package.json',
      layerIndex: 2,
      layerDiffId: report.layers[2]?.diffId,
      createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit',
    });
    expect(minimist?.aliases).toContain('GHSA-xvch-5gv4-984h');
    expect(minimist?.priorityReason).toMatch(/^High: severity critical \(CVSS 9\.8\)/);
    // A Debian finding, matched by source package in Debian:12.
    const pam = result.find((f) => f.id === 'CVE-2024-22365' && f.packageName === 'libpam0g');
    expect(pam).toMatchObject({
      category: 'system',
      fixedVersion: '1.5.2-6+deb12u3',
      fixCommand: 'apt-get install --only-upgrade libpam0g=1.5.2-6+deb12u3',
    });
    // ws was deleted by a whiteout: nothing to report.
    expect(result.find((f) => f.packageName === 'ws')).toBeUndefined();
  });

  it('python-java: log4j 1.2.17 (no fix published) and PyPI, but not the dpkg-owned Python', async () => {
    const { result } = await findings('debian12-python-java.oci.tar');
    const log4j = result.filter((f) => f.packageName === 'log4j:log4j');
    expect(log4j.map((f) => f.id)).toEqual(
      expect.arrayContaining(['CVE-2019-17571', 'CVE-2021-4104']),
    );
    expect(log4j.find((f) => f.id === 'CVE-2019-17571')?.fixedVersion).toBeUndefined();
    expect(log4j.find((f) => f.id === 'CVE-2019-17571')).toMatchObject({
      status: 'affected',
      path: 'opt/app/app.war!/WEB-INF/lib/log4j-1.2.17.jar',
      cause:
        'installed 1.2.17 is at or below the last affected version 1.2.17; no fixed version is published',
    });
    expect(result.find((f) => f.packageName === 'Werkzeug' && f.fixedVersion)).toMatchObject({
      packageType: 'pypi',
      fixCommand: expect.stringMatching(/^pip install 'Werkzeug>=/),
    });
    // requests/urllib3 come from Debian (python3-requests): no PyPI finding for them.
    expect(
      result.filter(
        (f) =>
          f.packageType === 'pypi' && ['requests', 'urllib3', 'jinja2'].includes(f.packageName),
      ),
    ).toEqual([]);
  });

  it('alpine-311: Alpine advisories by origin in Alpine:v3.11', async () => {
    const { result } = await findings('alpine-311.tar.gz');
    const musl = result.find((f) => f.packageName === 'musl' && f.id === 'CVE-2020-28928');
    expect(musl).toMatchObject({
      fixedVersion: '1.1.24-r3',
      fixCommand: 'apk add --upgrade musl=1.1.24-r3',
      category: 'system',
    });
    // libssl1.1 and libcrypto1.1 come from origin openssl.
    expect(
      result.some(
        (f) => f.packageName === 'libssl1.1' && f.advisoryIds.some((a) => a.startsWith('ALPINE-')),
      ),
    ).toBe(true);
  });

  it('go-binaries: Go standard library by toolchain version', async () => {
    const { result } = await findings('go-binaries.tar');
    const stdlib = result.filter(
      (f) => f.packageName === 'stdlib' && f.path === 'usr/local/bin/esbuild',
    );
    expect(stdlib.map((f) => f.id)).toContain('CVE-2021-33195');
    expect(stdlib.find((f) => f.id === 'CVE-2021-33195')).toMatchObject({
      installedVersion: '1.16.3',
      fixedVersion: '1.16.5',
    });
    // (devel) main modules have no version to match.
    expect(result.some((f) => f.installedVersion === '(devel)')).toBe(false);
  });
});

describe('what must not match', () => {
  const pkg = (
    overrides: Partial<ScanReport['packages'][number]>,
  ): ScanReport['packages'][number] => ({
    name: 'lodash',
    version: '4.17.21',
    type: 'npm',
    purl: 'pkg:npm/lodash@4.17.21',
    layerDiffId: `sha256:${'1'.repeat(64)}`,
    layerIndex: 0,
    path: 'app/node_modules/lodash/package.json',
    ...overrides,
  });
  const match = (packages: ScanReport['packages'], os?: ScanReport['os']) =>
    matchInventory({ layers: [], packages, ...(os ? { os } : {}) }, db);

  it('a fixed version installed, a version outside every range', async () => {
    expect(await match([pkg({})])).toEqual([]);
    expect(await match([pkg({ name: 'minimist', version: '1.2.8' })])).toEqual([]);
  });

  it('another distribution release: Alpine 3.11 advisories do not apply to Alpine 3.20', async () => {
    const musl = pkg({
      name: 'musl',
      type: 'apk',
      version: '1.1.24-r2',
      sourceName: 'musl',
      path: 'lib/apk/db/installed',
    });
    const old = await match([musl], {
      family: 'alpine',
      version: '3.11.5',
      source: 'etc/alpine-release',
    });
    expect(old.length).toBeGreaterThan(0);
    const newer = await match([musl], {
      family: 'alpine',
      version: '3.20.3',
      source: 'etc/alpine-release',
    });
    expect(newer).toEqual([]);
    // Debian advisories need a Debian release: none for an unknown OS.
    expect(
      await match([pkg({ name: 'pam', type: 'deb', version: '1.5.2-6', sourceName: 'pam' })]),
    ).toEqual([]);
  });

  it('a declared lock-file entry is matched and marked, unless the package is installed', async () => {
    const declared = await match([pkg({ version: '4.17.15', declared: true })]);
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.every((f) => f.declared === true)).toBe(true);
    expect(
      (
        await match([pkg({ version: '4.17.15', declared: true }), pkg({ version: '4.17.21' })])
      ).filter((f) => f.declared),
    ).toEqual([]);
  });
});

describe('online mirror', () => {
  it('downloads <url>/<Ecosystem>/all.zip from an OSV mirror over HTTP', async () => {
    const http = await import('node:http');
    const { readFile } = await import('node:fs/promises');
    const root = shared('advisories', 'osv');
    const server = http.createServer(async (req, res) => {
      const file = path.join(root, decodeURIComponent(req.url ?? '').replace(/\.\./g, ''));
      try {
        const data = await readFile(file);
        res.writeHead(200, { 'content-length': data.length });
        res.end(data);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
    try {
      const report = await importAdvisories(
        await AdvisoryDb.open(fresh),
        `http://127.0.0.1:${port}/`,
        {
          ecosystems: ['Maven', 'NuGet', 'Hex'],
        },
      );
      expect(report.ecosystems.Maven?.added).toBe(14);
      expect(report.ecosystems.NuGet?.added).toBe(4);
      expect(report.warnings).toEqual([`http://127.0.0.1:${port}/Hex/all.zip: not found, skipped`]);
    } finally {
      server.close();
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
