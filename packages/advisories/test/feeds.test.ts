import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScanReport } from '@drydock/contract';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { serveAdvisoryFeeds } from '@drydock/test-data/feeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryDb, importAdvisories, matchInventory } from '../src/index.ts';

// The online refresh as it runs against the public services (OSV bucket, CISA KEV feed, CVE
// record service), served from the shared real data on loopback.
describe('online refresh: OSV, CISA KEV and CVE records', () => {
  let feeds: Awaited<ReturnType<typeof serveAdvisoryFeeds>>;
  let dir: string;
  let report: ScanReport;
  beforeAll(async () => {
    feeds = await serveAdvisoryFeeds({ failCve: (id) => id === 'CVE-2023-29383' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-feeds-'));
    report = (await scanImage(shared('images', 'debian12-node-app.tar'))).report;
  }, 120_000);
  afterAll(async () => {
    await feeds?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pam = async (db: AdvisoryDb) =>
    (await matchInventory(report, db)).find(
      (f) => f.id === 'CVE-2024-22365' && f.packageName === 'libpam0g',
    );

  it('reads the KEV feed and fetches CVE records for advisories without a CVSS, in bounded batches', async () => {
    const db = await AdvisoryDb.open(dir);
    const first = await importAdvisories(db, feeds.osv, {
      ecosystems: ['Debian'],
      kev: feeds.kev,
      cve: feeds.cve,
      maxCveRecords: 100,
    });
    expect(first.ecosystems.Debian?.added).toBe(579);
    expect(first.knownExploited).toBe(1404);
    expect(feeds.requests).toMatchObject({ osv: 1, kev: 1, cve: 100 });
    expect(first.warnings).toContainEqual(
      expect.stringMatching(/the rest follow on the next refresh/),
    );

    // The next refresh asks only for what it does not have yet (404s are remembered too).
    const reopened = await AdvisoryDb.open(dir);
    const second = await importAdvisories(reopened, feeds.osv, {
      ecosystems: ['Debian'],
      kev: feeds.kev,
      cve: feeds.cve,
      maxCveRecords: 10_000,
    });
    expect(second.ecosystems.Debian).toEqual({ added: 0, updated: 0, unchanged: 579, skipped: 0 });
    // 578 distinct CVEs in the Debian records; one answered 503 and is asked again next time.
    expect(feeds.requests.cve).toBe(578);
    expect(second.warnings).toContainEqual(
      expect.stringMatching(
        /1 of 478 CVE records could not be fetched \(first: CVE-2023-29383: .*503/,
      ),
    );
    // Of the 578, the 26 in the shared CVE List sample are real records.
    expect((first.cveRecords ?? 0) + (second.cveRecords ?? 0)).toBe(25);
    expect(await reopened.cve('CVE-2024-45490')).toMatchObject({ cvssScore: 9.8 });
    expect(reopened.describe()).toMatchObject({ records: 579, knownExploited: 1404 });

    const third = await importAdvisories(await AdvisoryDb.open(dir), feeds.osv, {
      ecosystems: ['Debian'],
      cve: feeds.cve,
    });
    expect(feeds.requests.cve).toBe(579);
    expect(third.warnings).toContainEqual(expect.stringMatching(/1 of 1 CVE records/));
  });

  it('a finding whose advisory says nothing of the vulnerability takes the CVE record title', async () => {
    // Without CVE records: the Debian record's changelog text is all there is.
    const bare = await mkdtemp(path.join(os.tmpdir(), 'drydock-feeds-'));
    try {
      const db = await AdvisoryDb.open(bare);
      await importAdvisories(db, feeds.osv, { ecosystems: ['Debian'] });
      expect((await pam(db))?.titleSource).not.toMatch(/CVE record/);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
    const finding = await pam(await AdvisoryDb.open(dir));
    expect(finding).toMatchObject({ titleSource: 'CVE record description', severity: 'high' });
    expect(finding?.title).toMatch(/^linux-pam \(aka Linux PAM\) before 1\.6\.0 allows attackers/);
  });

  it('an unreachable KEV feed is a warning and the previous catalog stays', async () => {
    const db = await AdvisoryDb.open(dir);
    const report = await importAdvisories(db, feeds.osv, {
      ecosystems: ['Debian'],
      kev: `${feeds.osv}/no-such-kev.json`,
    });
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/KEV catalog not refreshed \(.*404/),
    );
    expect((await (await AdvisoryDb.open(dir)).knownExploited()).size).toBe(1404);
  });

  it('refuses a CVE service URL without {id}', async () => {
    await expect(
      importAdvisories(await AdvisoryDb.open(dir), feeds.osv, { cve: 'https://cve.example/x' }),
    ).rejects.toThrow(/must contain \{id\}/);
  });
});
