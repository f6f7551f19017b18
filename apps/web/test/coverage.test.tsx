// @vitest-environment jsdom
import { type AdvisoryStatus, AdvisoryStatusSchema } from '@drydock/contract';
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScanWarnings } from '../src/components/scan-warnings.tsx';
import {
  AdvisoryBanner,
  advisoryProblem,
} from '../src/features/image-security/advisory-banner.tsx';
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
