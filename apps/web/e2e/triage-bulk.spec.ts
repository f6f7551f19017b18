import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FINDING_EXPORT_COLUMNS } from '@drydock/contract';
import { validateCycloneDx, validateSpdx } from '@drydock/sbom';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './auth.ts';

// Acting on many findings at once, on the images scan-now.spec.ts scanned (specs run in order).
const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

/** RFC 4180 CSV (quoted cells may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) out.push([...row, cell]);
  return out;
}

/** Every vulnerability id a list filter shows, over all pages (the API's list). */
async function listIds(page: Page, query: string): Promise<string[]> {
  const ids: string[] = [];
  for (let p = 1; ; p++) {
    const res = await page.request.get(`/api/v1/vulnerabilities?${query}&pageSize=200&page=${p}`);
    const { items } = (await res.json()) as { items: { id: string }[] };
    ids.push(...items.map((i) => i.id));
    if (items.length < 200) return ids;
  }
}

test('bulk: select rows, ignore with a counted confirmation, unignore everything matching; export the filter and the images as CSV and JSON', async ({
  page,
}) => {
  const headers = await signIn(page);
  await page.goto('/image-security/system');
  const table = page.getByRole('table', { name: 'System vulnerabilities' });
  const rows = table.getByRole('row');
  await expect(rows.nth(2)).toBeVisible({ timeout: 30_000 });

  // 1. Two rows by their checkboxes; the confirmation counts what the action touches.
  const ids: string[] = [];
  for (const i of [1, 2]) {
    const row = rows.nth(i);
    ids.push(((await row.locator('.vuln-id').textContent()) ?? '').trim());
    await row.getByRole('checkbox').check();
  }
  const bar = page.getByRole('region', { name: 'Selection' });
  await expect(bar).toContainText('2 selected');
  const before = (await (
    await page.request.post('/api/v1/triage/bulk', {
      data: {
        kind: 'vulnerability',
        ids,
        dryRun: true,
        triage: { action: 'ignore', reason: 'count' },
      },
      headers,
    })
  ).json()) as { findings: number; images: number };
  expect(before.findings).toBeGreaterThanOrEqual(2);
  await bar.getByRole('button', { name: 'Ignore…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm bulk action' });
  await expect(dialog).toContainText(
    `Ignore ${before.findings} findings in ${before.images} image${before.images === 1 ? '' : 's'} (2 vulnerabilities)?`,
  );
  await dialog.getByLabel('Reason (required)').fill('Patched in the next base image rebuild');
  await shot(page, 'bulk-confirm');
  await dialog.getByRole('button', { name: `Ignore ${before.findings} findings` }).click();
  await expect(bar.getByRole('status')).toHaveText(
    `Ignored ${before.findings} findings in ${before.images} image${before.images === 1 ? '' : 's'}.`,
  );
  for (const id of ids) {
    await expect(table.getByRole('row', { name: new RegExp(id) })).toHaveCount(0);
  }
  // Each finding has its own event, all with the same bulk id (the triage log).
  const detail = (await (await page.request.get(`/api/v1/vulnerabilities/${ids[0]}`)).json()) as {
    history: { action: string; reason: string | null }[];
  };
  expect(detail.history[0]).toMatchObject({
    action: 'ignore',
    reason: 'Patched in the next base image rebuild',
  });

  // 2. The ignored list: every row matching the filter, then Unignore.
  await page.getByLabel('Status').selectOption('ignored');
  await expect(page).toHaveURL(/status=ignored/);
  for (const id of ids)
    await expect(table.getByRole('row', { name: new RegExp(id) })).toBeVisible();
  await table.getByRole('checkbox', { name: 'Select every row on this page' }).check();
  await bar.getByRole('button', { name: 'Unignore…' }).click();
  await expect(dialog).toContainText(`Unignore ${before.findings} findings`);
  await dialog.getByRole('button', { name: `Unignore ${before.findings} findings` }).click();
  await expect(bar.getByRole('status')).toContainText(`Unignored ${before.findings} findings`);
  await expect(table.getByRole('row')).toHaveCount(1);

  // 3. Export of the open list: every finding of every row on every page, one line each.
  await page.getByLabel('Status').selectOption('open');
  await expect(rows.nth(2)).toBeVisible();
  const openIds = new Set(await listIds(page, 'category=system&status=open'));
  await bar.getByRole('button', { name: 'Export' }).click();
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    bar.getByRole('link', { name: 'CSV' }).click(),
  ]);
  expect(csvDownload.suggestedFilename()).toBe('vulnerabilities-system-open.csv');
  const text = readFileSync(await csvDownload.path(), 'utf8');
  expect(text.split('\n')[0]).toBe(FINDING_EXPORT_COLUMNS.join(','));
  const cells = parseCsv(text.slice(text.indexOf('\n') + 1));
  const column = (name: (typeof FINDING_EXPORT_COLUMNS)[number]) =>
    FINDING_EXPORT_COLUMNS.indexOf(name);
  expect(new Set(cells.map((c) => c[column('vulnerability')]))).toEqual(openIds);
  expect(cells.every((c) => c[column('status')] === 'open')).toBe(true);
  expect(cells.every((c) => c[column('digest')]?.startsWith('sha256:'))).toBe(true);

  await bar.getByRole('button', { name: 'Export' }).click();
  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    bar.getByRole('link', { name: 'JSON' }).click(),
  ]);
  const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as {
    vulnerability: string;
    image: string;
  }[];
  expect(json).toHaveLength(cells.length);
  expect(json.every((r) => openIds.has(r.vulnerability) && r.image)).toBe(true);

  // 4. The Images page exports its list too.
  await page.getByRole('link', { name: 'Images', exact: true }).click();
  const imagesTotal = (
    (await (await page.request.get('/api/v1/images')).json()) as { total: number }
  ).total;
  await page.getByRole('button', { name: 'Export' }).click();
  const [imagesDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'JSON' }).click(),
  ]);
  const imageRows = JSON.parse(readFileSync(await imagesDownload.path(), 'utf8')) as {
    digest: string;
  }[];
  expect(imageRows).toHaveLength(imagesTotal);
  expect(imageRows.every((r) => r.digest.startsWith('sha256:'))).toBe(true);

  // 5. An image's SBOM, as CycloneDX and as SPDX, each valid.
  await page.getByRole('button', { name: /^SBOM of .*shop\/node-app/ }).click();
  const [cdxDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CycloneDX 1.6' }).click(),
  ]);
  expect(cdxDownload.suggestedFilename()).toMatch(/shop_node-app_1\.0-[0-9a-f]{12}\.cdx\.json$/);
  const cdx = readFileSync(await cdxDownload.path(), 'utf8');
  expect(await validateCycloneDx(cdx)).toBeNull();
  const bom = JSON.parse(cdx) as { components: { name: string; purl: string }[] };
  expect(bom.components.map((c) => c.name)).toContain('minimist');
  await page.getByRole('button', { name: /^SBOM of .*shop\/node-app/ }).click();
  const [spdxDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'SPDX 2.3' }).click(),
  ]);
  expect(validateSpdx(JSON.parse(readFileSync(await spdxDownload.path(), 'utf8')))).toBeNull();

  // 6. The SBOM read back from the Scans page: every component read and matched again (as an
  // image of its own, like an upload: it belongs to no registry).
  await page.getByRole('link', { name: 'Scans', exact: true }).click();
  await page.getByLabel('Import SBOM').setInputFiles(await cdxDownload.path());
  const read = page
    .getByRole('status')
    .filter({ hasText: /^Read \d+ packages \(CycloneDX by drydock/ });
  await expect(read).toContainText(`Read ${bom.components.length} packages`);
  await expect(read).toContainText(/: [1-9]\d* new findings/);

  // 7. A VEX document from the Image Security page: a vendor says minimist is not affected.
  await page.getByRole('link', { name: 'Image Security' }).click();
  const vex = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://vendor.example/vex/e2e',
    author: 'Vendor PSIRT',
    statements: [
      {
        vulnerability: { name: 'CVE-2020-7598' },
        products: [{ '@id': bom.components.find((c) => c.name === 'minimist')?.purl }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impact_statement: 'options are never parsed from user input',
      },
    ],
  };
  await page.getByLabel('Import VEX').setInputFiles({
    name: 'vendor.openvex.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(vex)),
  });
  await expect(
    page.getByRole('status').filter({ hasText: /^1 statements: 1 applied/ }),
  ).toBeVisible();
  const after = await page.request.get(
    '/api/v1/vulnerabilities?category=application&status=ignored&decision=not_affected',
  );
  expect(((await after.json()) as { items: { id: string }[] }).items.map((v) => v.id)).toContain(
    'CVE-2020-7598',
  );
  // Back as it was for the specs after this one.
  const undo = await page.request.post('/api/v1/vulnerabilities/CVE-2020-7598/triage', {
    data: { action: 'unignore' },
    headers,
  });
  expect(undo.ok()).toBe(true);
});

test('the fix plan ranks the upgrades and base rebuilds that clear the most, with what each clears', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/image-security/system');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Fix plan' })
    .click();
  await expect(page).toHaveURL(/\/fix-plan$/);
  const api = (await (await page.request.get('/api/v1/fix-plan?limit=100')).json()) as {
    actions: { title: string; images: number; fixCommand: string | null }[];
  };
  expect(api.actions.length).toBeGreaterThan(3);
  const table = page.getByRole('table', { name: 'Fix actions' });
  await expect(table.getByRole('row').nth(1)).toContainText(api.actions[0]?.title as string);
  // Only open findings count (scan-now.spec.ts ignored CVE-2021-44906, fixed in 1.2.6).
  await expect(
    table.getByRole('row', { name: /Upgrade minimist \(npm\) to 1\.2\.\d/ }),
  ).toBeVisible();
  const top = api.actions[0] as { title: string; images: number; fixCommand: string | null };
  await table.getByRole('button', { name: `Details of ${top.title}` }).click();
  const details = page.getByRole('region', { name: `${top.title}: what it clears` });
  if (top.fixCommand) await expect(details).toContainText(top.fixCommand);
  await expect(
    details.getByRole('link', { name: /node-app|samples|go-binaries/ }).first(),
  ).toBeVisible();
  await shot(page, 'fix-plan');
  // The category filter narrows it to application findings.
  await page.getByLabel('Category').selectOption('application');
  await expect(page).toHaveURL(/category=application/);
  await expect(table.getByRole('row', { name: /\(deb\)/ })).toHaveCount(0);
  await expect(table.getByRole('row', { name: /Upgrade minimist/ })).toBeVisible();
});
