// @vitest-environment jsdom
import {
  type AdvisoryStatus,
  AdvisoryStatusSchema,
  VulnerabilityDetailSchema,
} from '@drydock/contract';
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdvisoryDbUsedFacts, ScanWarnings } from '../src/components/scan-warnings.tsx';
import {
  AdvisoryBanner,
  advisoryProblem,
} from '../src/features/image-security/advisory-banner.tsx';
import { VulnerabilityDrawer } from '../src/features/image-security/vulnerability-drawer.tsx';
import { renderAt, stubApi } from './render.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const status = (s: Partial<AdvisoryStatus>): AdvisoryStatus =>
  AdvisoryStatusSchema.parse({
    advisories: 1200,
    ecosystems: [{ ecosystem: 'Debian:12', packages: 300 }],
    knownExploited: 10,
    lastImportAt: new Date().toISOString(),
    latestImport: null,
    refresh: null,
    feeds: null,
    ...s,
  });

describe('advisory database banner', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it('names an empty database, and one not imported for more than 7 days', () => {
    expect(advisoryProblem(status({ advisories: 0, lastImportAt: null }), now)).toMatch(/empty/);
    expect(advisoryProblem(status({ lastImportAt: '2026-11-25T11:00:00.000Z' }), now)).toMatch(
      /more than 7 days ago/,
    );
    expect(advisoryProblem(status({ lastImportAt: '2026-11-30T12:00:00.000Z' }), now)).toBe(
      undefined,
    );
  });

  it('is shown over the tabs with the way to fix it, and not when the database is current', async () => {
    stubApi((url) =>
      url.pathname === '/api/v1/advisories/status'
        ? { status: 200, body: status({ advisories: 0, lastImportAt: null }) }
        : undefined,
    );
    renderAt(<AdvisoryBanner />);
    const banner = await screen.findByRole('alert', { name: 'Advisory database' });
    expect(banner.textContent).toMatch(/no image has been checked for vulnerabilities/);
    expect(within(banner).getByRole('link', { name: /Import advisories/ })).toHaveProperty(
      'href',
      expect.stringMatching(/\/settings$/),
    );
    cleanup();
    vi.unstubAllGlobals();
    stubApi((url) =>
      url.pathname === '/api/v1/advisories/status' ? { status: 200, body: status({}) } : undefined,
    );
    renderAt(<AdvisoryBanner />);
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('scan warnings of an image', () => {
  it('shows what was not checked for vulnerabilities, and folds the other warnings', () => {
    renderAt(
      <ScanWarnings
        warnings={[
          {
            code: 'advisories_unsupported',
            message: 'no advisories for Amazon Linux 2023: 102 system packages not checked',
          },
          { code: 'app_metadata', message: 'usr/lib/x.jar: java: bad zip', path: 'usr/lib/x.jar' },
        ]}
      />,
    );
    const section = screen.getByRole('region', { name: 'Not checked' });
    expect(within(section).getByRole('heading').textContent).toBe(
      'Not checked for vulnerabilities',
    );
    expect(section.textContent).toContain('Amazon Linux 2023: 102 system packages not checked');
    expect(within(section).getByText(/1 other scan warning/)).toBeTruthy();
  });

  it('says nothing for an image checked completely', () => {
    renderAt(<ScanWarnings warnings={[]} />);
    expect(screen.queryByRole('region', { name: 'Not checked' })).toBeNull();
  });
});

describe('a vulnerability found only in a lock file', () => {
  it('is marked in the drawer as declared in that file, with lower confidence', async () => {
    const impact = (declared: boolean, path: string, name: string) => ({
      findingId: crypto.randomUUID(),
      image: { id: crypto.randomUUID(), digest: `sha256:${'a'.repeat(64)}`, name },
      packageName: 'qs',
      packageType: 'npm',
      installedVersion: '6.7.0',
      fixedVersion: '6.7.3',
      fixCommand: 'npm install qs@6.7.3',
      cause: declared
        ? '6.7.0 declared in package-lock.json (not found installed) is lower than fixed 6.7.3'
        : 'installed 6.7.0 is lower than fixed 6.7.3',
      path,
      declared,
      layerIndex: 2,
      layerDiffId: `sha256:${'b'.repeat(64)}`,
      createdBy: 'COPY . /app',
      priority: 'high',
      priorityReason: 'High: severity high and a fix is available',
      status: 'open',
    });
    const detail = VulnerabilityDetailSchema.parse({
      id: 'CVE-2022-24999',
      title: 'qs vulnerable to Prototype Pollution',
      description: null,
      severity: 'high',
      severitySource: 'GHSA advisory',
      titleSource: 'advisory summary',
      cvss: null,
      knownExploited: false,
      aliases: [],
      links: [],
      references: [],
      priority: 'high',
      priorityReason: 'High: severity high and a fix is available',
      fixCommands: ['npm install qs@6.7.3'],
      impact: [
        impact(true, 'app/package-lock.json', 'lock-only:1'),
        impact(false, 'app/node_modules/qs/package.json', 'shop/node-app:1'),
      ],
      caution: [],
      history: [],
    });
    stubApi((url) => {
      if (url.pathname === '/api/v1/vulnerabilities/CVE-2022-24999')
        return { status: 200, body: detail };
      if (url.pathname.endsWith('/images'))
        return { status: 200, body: { items: [], page: 1, pageSize: 10, total: 0 } };
      return undefined;
    });
    renderAt(<VulnerabilityDrawer id="CVE-2022-24999" onClose={() => {}} />);
    const table = await screen.findByRole('table', { name: 'Impact' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('declared in package-lock.json · lower confidence');
    expect(rows[1]?.textContent).not.toContain('declared in');
    // Where the title and the severity came from.
    expect(screen.getByText('Title from the advisory summary')).toBeTruthy();
    expect(screen.getByText('from the GHSA advisory')).toBeTruthy();
  });
});

describe('the advisory database a scan used', () => {
  it('says when it was updated, what it held and where each package source was looked up', () => {
    renderAt(
      <AdvisoryDbUsedFacts
        used={{
          updatedAt: '2026-12-01T08:00:00.000Z',
          sources: ['https://osv-vulnerabilities.storage.googleapis.com'],
          importId: '7f8e1a52-0a44-4b5e-9d0e-2f7c1f3f4b11',
          records: 12345,
          knownExploited: 1404,
          cveRecords: 578,
          checked: [
            { label: 'Debian 12', ecosystems: ['Debian:12'], packages: 97 },
            { label: 'npm', ecosystems: ['npm'], packages: 1 },
          ],
        }}
      />,
    );
    expect(
      screen.getByText(/12,345 advisories · 1,404 known exploited · 578 CVE records/),
    ).toBeTruthy();
    expect(screen.getByText(/Debian 12: 97 packages looked up in/).textContent).toContain(
      'Debian:12',
    );
    expect(screen.getByText(/npm: 1 package looked up in/)).toBeTruthy();
    cleanup();
    renderAt(<AdvisoryDbUsedFacts used={null} />);
    expect(screen.getByText('not matched against advisories yet')).toBeTruthy();
  });
});
