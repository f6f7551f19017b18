import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AdvisoryDb,
  COMPARATORS,
  cvss3BaseScore,
  evaluateAffected,
  fixCommand,
  importAdvisories,
  matchInventory,
  prioritize,
} from '../src/index.ts';

const semver = COMPARATORS.semver;
const entry = (events: Record<string, string>[], versions?: string[]) => ({
  package: { ecosystem: 'npm', name: 'x' },
  ranges: [{ type: 'SEMVER', events }],
  ...(versions ? { versions } : {}),
});

describe('OSV range evaluation', () => {
  it('introduced/fixed intervals, several of them', () => {
    const e = entry([
      { introduced: '0' },
      { fixed: '1.2.3' },
      { introduced: '2.0.0' },
      { fixed: '2.0.5' },
    ]);
    expect(evaluateAffected(e, '1.0.0', semver)).toEqual({ affected: true, fixed: '1.2.3' });
    expect(evaluateAffected(e, '1.2.3', semver).affected).toBe(false);
    expect(evaluateAffected(e, '2.0.1', semver)).toEqual({ affected: true, fixed: '2.0.5' });
    expect(evaluateAffected(e, '3.0.0', semver).affected).toBe(false);
  });

  it('last_affected includes the bound; an open range stays affected', () => {
    expect(
      evaluateAffected(
        entry([{ introduced: '1.2' }, { last_affected: '1.2.17' }]),
        '1.2.17',
        COMPARATORS.maven,
      ),
    ).toEqual({
      affected: true,
      lastAffected: '1.2.17',
    });
    expect(
      evaluateAffected(
        entry([{ introduced: '1.2' }, { last_affected: '1.2.17' }]),
        '1.2.18',
        COMPARATORS.maven,
      ).affected,
    ).toBe(false);
    expect(evaluateAffected(entry([{ introduced: '5.0.0' }]), '7.1.0', semver)).toEqual({
      affected: true,
    });
  });

  it('limit caps a range; an explicit versions list matches exactly', () => {
    expect(
      evaluateAffected(entry([{ introduced: '0' }, { limit: '2.0.0' }]), '2.1.0', semver).affected,
    ).toBe(false);
    expect(
      evaluateAffected(entry([{ introduced: '0' }, { limit: '2.0.0' }]), '1.9.0', semver).affected,
    ).toBe(true);
    const listed = { package: { ecosystem: 'npm', name: 'x' }, versions: ['1.0.0', '1.0.1'] };
    expect(evaluateAffected(listed, '1.0.1', semver).affected).toBe(true);
    expect(evaluateAffected(listed, '1.0.2', semver).affected).toBe(false);
  });
});

describe('severity, priority and fix commands', () => {
  it('computes CVSS 3.1 base scores', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toBe(10);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H')).toBe(5.9);
    expect(cvss3BaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N')).toBe(0);
    expect(cvss3BaseScore('garbage')).toBeUndefined();
  });

  it('follows the written policy', () => {
    expect(
      prioritize({ severity: 'low', knownExploited: true, fixAvailable: false }).priority,
    ).toBe('high');
    expect(
      prioritize({ severity: 'critical', knownExploited: false, fixAvailable: false }).priority,
    ).toBe('high');
    expect(
      prioritize({ severity: 'high', knownExploited: false, fixAvailable: true }).priority,
    ).toBe('high');
    expect(prioritize({ severity: 'high', knownExploited: false, fixAvailable: false })).toEqual({
      priority: 'medium',
      reason: 'Medium: severity high, but no fix is available yet',
    });
    expect(
      prioritize({ severity: 'medium', knownExploited: false, fixAvailable: true }).priority,
    ).toBe('medium');
    expect(
      prioritize({ severity: 'medium', knownExploited: false, fixAvailable: false }).priority,
    ).toBe('low');
    expect(
      prioritize({ severity: 'unknown', knownExploited: false, fixAvailable: true }).priority,
    ).toBe('low');
  });

  it('writes the fix command of each package manager', () => {
    expect(fixCommand({ type: 'deb', name: 'libc6' }, '2.36-9+deb12u4')).toBe(
      'apt-get install --only-upgrade libc6=2.36-9+deb12u4',
    );
    expect(fixCommand({ type: 'apk', name: 'musl' }, '1.1.24-r3')).toBe(
      'apk add --upgrade musl=1.1.24-r3',
    );
    expect(fixCommand({ type: 'rpm', name: 'openssl-libs' }, '1:3.0.7-27.el9')).toBe(
      'dnf upgrade openssl-libs-3.0.7-27.el9',
    );
    expect(fixCommand({ type: 'pypi', name: 'werkzeug' }, '2.3.8')).toBe(
      "pip install 'werkzeug>=2.3.8'",
    );
    expect(fixCommand({ type: 'maven', name: 'org.yaml:snakeyaml' }, '2.0')).toMatch(
      /<version>2\.0<\/version> for org\.yaml:snakeyaml/,
    );
    expect(fixCommand({ type: 'golang', name: 'golang.org/x/net' }, '0.17.0')).toBe(
      'go get golang.org/x/net@v0.17.0',
    );
    expect(fixCommand({ type: 'golang', name: 'stdlib' }, '1.21.5')).toBe(
      'rebuild the binary with Go 1.21.5 or later',
    );
    expect(fixCommand({ type: 'composer', name: 'guzzlehttp/guzzle' }, '7.4.5')).toBe(
      'composer require guzzlehttp/guzzle:^7.4.5',
    );
    expect(fixCommand({ type: 'nuget', name: 'Newtonsoft.Json' }, '13.0.1')).toBe(
      'dotnet add package Newtonsoft.Json --version 13.0.1',
    );
    expect(fixCommand({ type: 'gem', name: 'rack' }, '2.2.8')).toMatch(/^bundle update rack/);
    expect(fixCommand({ type: 'cargo', name: 'regex' }, '1.5.5')).toBe(
      'cargo update -p regex --precise 1.5.5',
    );
  });
});

describe('import of imperfect sources and will-not-fix', () => {
  it('skips bad records with a warning, keeps the good ones, and reports will_not_fix', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bad-'));
    const cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
    try {
      await writeFile(path.join(dir, 'broken.json'), '{"id": "X-1", ');
      await writeFile(
        path.join(dir, 'no-affected.json'),
        JSON.stringify({ id: 'X-2', modified: '2024-01-01T00:00:00Z' }),
      );
      await writeFile(
        path.join(dir, 'DEBIAN-CVE-2099-0001.json'),
        JSON.stringify({
          id: 'DEBIAN-CVE-2099-0001',
          modified: '2024-01-01T00:00:00Z',
          upstream: ['CVE-2099-0001'],
          summary: 'demo flaw',
          affected: [
            {
              package: { ecosystem: 'Debian:12', name: 'tar' },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
              database_specific: { status: 'no-dsa (will not fix)' },
            },
          ],
        }),
      );
      const db = await AdvisoryDb.open(cache);
      const report = await importAdvisories(db, dir);
      expect(report.ecosystems.Debian).toEqual({ added: 1, updated: 0, unchanged: 0, skipped: 0 });
      expect(report.warnings).toEqual([
        expect.stringMatching(/broken\.json: .*JSON/),
        expect.stringMatching(/no-affected\.json: X-2 affects no package/),
      ]);
      const findings = await matchInventory(
        {
          os: { family: 'debian', version: '12', source: 'etc/os-release' },
          layers: [],
          packages: [
            {
              name: 'tar',
              version: '1.34+dfsg-1.2+deb12u1',
              type: 'deb',
              sourceName: 'tar',
              purl: 'pkg:deb/debian/tar@1.34',
              layerDiffId: `sha256:${'2'.repeat(64)}`,
              layerIndex: 0,
              path: 'var/lib/dpkg/status',
            },
          ],
        },
        db,
      );
      expect(findings).toMatchObject([
        { id: 'CVE-2099-0001', status: 'will_not_fix', priority: 'low' },
      ]);
      expect(findings[0]?.fixCommand).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
  });
});
