import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './auth.ts';

// The analyst's day, end to end against the real stack (API, worker, embedded PostgreSQL) and a
// real registry with images pushed by skopeo (global-setup.ts).
const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

test('add a registry, Scan Now, follow progress, filter, open drawers, copy the fix, ignore with a reason', async ({
  page,
}) => {
  const headers = await signIn(page);
  const request = page.request;
  const registryUrl = process.env.E2E_REGISTRY_URL as string;
  // A retry starts from a clean slate: registries (and their images and findings) removed.
  for (const r of (await (await request.get('/api/v1/registries')).json()).items) {
    await request.delete(`/api/v1/registries/${r.id}`, { headers });
  }
  // The server's advisory database, from the shared mirror (the Settings page does the same).
  const imported = await request.post('/api/v1/advisories/import', {
    data: { source: process.env.E2E_ADVISORIES },
    headers,
  });
  expect(imported.status()).toBe(202);
  // Until the import has finished: a scan during it would match a partial database (the
  // re-match after the import fixes that, but this test reads the first scan's result).
  await expect
    .poll(
      async () =>
        (await (await request.get('/api/v1/advisories/status')).json()).latestImport?.status,
      { timeout: 120_000 },
    )
    .toBe('succeeded');

  // 1. Add the registry: test the connection, then add and sync.
  await page.goto('/registries');
  await expect(page.getByText('No registries yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add registry' }).click();
  const form = page.getByRole('form', { name: 'Add registry' });
  await form.getByLabel('Name', { exact: true }).fill('local-registry');
  await form.getByLabel('URL').fill(registryUrl);
  await form.getByLabel('User name').fill(process.env.E2E_REGISTRY_USER as string);
  await form.getByLabel('Password or token').fill('wrong-password');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('status')).toContainText('refused the credentials');
  await form.getByLabel('Password or token').fill(process.env.E2E_REGISTRY_PASSWORD as string);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('status')).toContainText('Connected (basic authentication)');
  await form.getByRole('button', { name: 'Add and sync' }).click();
  const row = page.getByRole('row', { name: /local-registry/ });
  await expect(row.getByRole('cell').nth(3)).toHaveText('3', { timeout: 30_000 });
  await shot(page, 'registries');

  // 2. Scan Now from the Image Security page, with live progress.
  await page.getByRole('link', { name: 'Image Security' }).click();
  await expect(page.getByText('No image system vulnerabilities yet')).toBeVisible();
  await page.getByRole('button', { name: 'Scan Now' }).click();
  const dock = page.getByRole('complementary', { name: 'Scan progress' });
  await expect(dock.getByRole('progressbar')).toBeVisible();
  await expect(dock).toContainText('/ 3 images');
  await shot(page, 'scan-progress');
  await expect(dock.getByText('3 / 3 images')).toBeVisible({ timeout: 120_000 });
  await expect(dock.locator('[data-status="succeeded"]')).toBeVisible();

  // 3. Findings in all three tabs (the tables refreshed as results landed).
  const table = page.getByRole('table', { name: 'System vulnerabilities' });
  await expect(table.getByRole('row')).not.toHaveCount(1);
  await expect(
    page.getByRole('region', { name: 'Summary' }).getByText(/^High/).first(),
  ).toBeVisible();
  await shot(page, 'tab-system');
  await page.getByRole('tab', { name: /Image Application Vulnerabilities/ }).click();
  const app = page.getByRole('table', { name: 'Application vulnerabilities' });
  await expect(app.getByRole('row', { name: /CVE-2021-44906/ })).toBeVisible();
  await shot(page, 'tab-application');
  await page.getByRole('tab', { name: /Malicious Image Samples/ }).click();
  const samples = page.getByRole('table', { name: 'Malicious samples' });
  await expect(samples.getByRole('row')).toHaveCount(13);
  await page.getByRole('button', { name: 'Urgent', exact: true }).click();
  await expect(page).toHaveURL(/severity=urgent/);
  await expect(samples.getByRole('row').nth(1)).toContainText('Urgent');
  await shot(page, 'tab-malicious');
  await samples
    .getByRole('button', { name: /^View / })
    .first()
    .click();
  const sampleDrawer = page.getByRole('dialog');
  await expect(sampleDrawer.getByRole('note')).toContainText('Warning');
  await expect(sampleDrawer.getByRole('region', { name: 'Occurrences' })).toContainText(
    'sec/samples',
  );
  await shot(page, 'drawer-sample');
  await page.keyboard.press('Escape');
  await expect(sampleDrawer).toBeHidden();

  // The fourth tab: sensitive content. The node app's `ws` was deleted by a later RUN step but
  // still ships in a lower layer (ghost content); the Python image runs as root.
  await page.getByRole('tab', { name: /Sensitive Content/ }).click();
  const sensitive = page.getByRole('table', { name: 'Sensitive content' });
  const ghost = sensitive.getByRole('row', { name: /ws 7\.4\.5 deleted but still shipped/ });
  await expect(ghost).toContainText('Ghost content');
  await expect(sensitive.getByRole('row', { name: /Runs as root/ })).toContainText('Medium');
  await page
    .getByRole('form', { name: 'Filter sensitive content' })
    .getByRole('button', { name: 'Configuration' })
    .click();
  await expect(page).toHaveURL(/kind=config/);
  await expect(ghost).toBeHidden();
  await page
    .getByRole('form', { name: 'Filter sensitive content' })
    .getByRole('button', { name: 'Configuration' })
    .click();
  await ghost.getByRole('button', { name: /^View / }).click();
  const ghostDrawer = page.getByRole('dialog');
  const where = ghostDrawer.getByRole('region', { name: 'Occurrences' });
  await expect(where).toContainText('app/node_modules/ws/package.json');
  await expect(where).toContainText('deleted in layer #5 by RUN /bin/sh -c rm -rf node_modules/ws');
  await expect(ghostDrawer).toContainText('CVE-2021-32640');
  await expect(ghostDrawer).toContainText('multi-stage build');
  await shot(page, 'drawer-sensitive');
  await page.keyboard.press('Escape');
  await expect(ghostDrawer).toBeHidden();

  // 4. Filters live in the URL: by repository, then by fuzzy name; back goes back.
  await page.getByRole('tab', { name: /Image Application Vulnerabilities/ }).click();
  // The tab's own filters are mounted once its table is (the samples tab had a Repository box too).
  await expect(app).toBeVisible();
  await expect(page.getByRole('form', { name: 'Filter vulnerabilities' })).toBeVisible();
  await page.getByLabel('Repository').fill('node-app');
  await expect(page).toHaveURL(/repository=node-app/);
  await page.getByLabel('Vulnerability name').fill('minimst');
  await expect(page).toHaveURL(/name=minimst/);
  await expect(app.getByRole('row', { name: /CVE-2021-44906/ })).toBeVisible();
  // Every row left is about minimist (the fuzzy match tolerates the typo). The row above was in
  // the unfiltered list too: wait for the filtered answer rather than read the rows at once.
  const rows = app.getByRole('row');
  await expect(rows).not.toHaveCount(1);
  await expect
    .poll(async () =>
      (await rows.allTextContents()).slice(1).every((t) => t.toLowerCase().includes('minimist')),
    )
    .toBe(true);
  await page.goBack();
  await expect(page).not.toHaveURL(/name=/);
  await expect(page).toHaveURL(/repository=node-app/);
  await page.goForward();
  await expect(page).toHaveURL(/name=minimst/);

  // 5. The drawer: CVE, fix command (copied), impact with the layer step, history.
  await app.getByRole('button', { name: 'View CVE-2021-44906' }).click();
  await expect(page).toHaveURL(/vuln=CVE-2021-44906/);
  const drawer = page.getByRole('dialog', { name: 'CVE-2021-44906' });
  await expect(drawer.getByRole('link', { name: /CVE-2021-44906 advisory/ })).toBeVisible();
  const fix = drawer.getByRole('region', { name: 'Fix' });
  const command = (await fix.locator('code').first().textContent()) ?? '';
  expect(command).toMatch(/npm install minimist@/);
  await fix.getByRole('button', { name: 'Copy fix command' }).first().click();
  await expect(fix.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  const impact = drawer.getByRole('region', { name: 'Impact' });
  await expect(impact).toContainText('minimist 1.2.0 → 1.2.6');
  await expect(impact).toContainText('app/node_modules/minimist/package.json');
  await expect(impact).toContainText('#2RUN /bin/sh -c npm ci --omit=dev');
  await shot(page, 'drawer-vulnerability');

  // 6. Ignore with a reason: the event shows in history, the row leaves the open list.
  await drawer.getByRole('button', { name: 'Ignore…' }).click();
  await drawer.getByLabel('Reason (required)').fill('Only used by the build step, not at runtime');
  await drawer.getByRole('button', { name: 'Ignore', exact: true }).click();
  const events = drawer.getByRole('list', { name: 'Event history' });
  await expect(events).toContainText('ignore');
  await expect(events).toContainText('Only used by the build step, not at runtime');
  await shot(page, 'drawer-after-ignore');
  await drawer.getByRole('button', { name: 'Close' }).click();
  await expect(app.getByRole('row', { name: /CVE-2021-44906/ })).toHaveCount(0);
  await page.getByLabel('Status').selectOption('ignored');
  await expect(app.getByRole('row', { name: /CVE-2021-44906/ })).toBeVisible();

  // 7. The image's own page: its findings across the tabs, and Scan Now for it.
  await page.getByRole('link', { name: 'Images', exact: true }).click();
  await page.getByRole('link', { name: /shop\/node-app:1\.0/ }).click();
  await expect(
    page.getByRole('region', { name: 'Image Application Vulnerabilities' }),
  ).toContainText('CVE-2020-7598');
  await expect(page.getByRole('button', { name: 'Scan this image' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Scan repository' })).toBeVisible();
  await shot(page, 'image');

  // 8. The scan is in the history, and the 1280 px layout holds.
  await page.getByRole('link', { name: 'Scans' }).click();
  const history = page.getByRole('table', { name: 'Scan history' });
  await expect(history.getByRole('row', { name: /all images manual admin/ })).toBeVisible();
  await shot(page, 'scans');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/image-security/system');
  await expect(
    page.getByRole('table', { name: 'System vulnerabilities' }).getByRole('row').nth(1),
  ).toBeVisible();
  await shot(page, 'tab-system-1280');
});
