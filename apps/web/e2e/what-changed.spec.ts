import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shared } from '@drydock/test-data';
import { readDockerArchiveFile, rebuildDockerArchive } from '@drydock/test-data/build-image';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './auth.ts';

// A rebuild of shop/node-app:1.0 (scanned by scan-now.spec.ts) that deletes minimist in a new
// layer, pushed by skopeo to the same tag of the real registry: after a sync and a scan, What
// changed says what the new digest no longer has, and why.
const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });

test('what changed after a rebuilt image is pushed to the same tag and scanned again', async ({
  page,
}) => {
  await signIn(page);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-rebuild-'));
  try {
    // The rebuild drops minimist: its folder is deleted and the lock file no longer lists it.
    const archive = readFileSync(shared('images', 'debian12-node-app.tar'));
    const lock = JSON.parse(String(readDockerArchiveFile(archive, 'app/package-lock.json'))) as {
      packages: Record<string, unknown>;
    };
    delete lock.packages['node_modules/minimist'];
    const { manifestDigest } = await rebuildDockerArchive(archive, dir, [
      {
        entries: [
          { path: 'app/node_modules/.wh.minimist' },
          { path: 'app/package-lock.json', content: JSON.stringify(lock, null, 2) },
        ],
        createdBy: 'RUN /bin/sh -c npm uninstall minimist # nobody needs it',
      },
    ]);
    const host = new URL(process.env.E2E_REGISTRY_URL as string).host;
    execFileSync('skopeo', [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      '--dest-creds',
      `${process.env.E2E_REGISTRY_USER}:${process.env.E2E_REGISTRY_PASSWORD}`,
      `oci:${dir}:test`,
      `docker://${host}/shop/node-app:1.0`,
    ]);

    // Sync the registry: the tag now points at the rebuilt digest.
    await page.goto('/registries');
    const row = page.getByRole('row', { name: /local-registry/ });
    await row.getByRole('button', { name: 'Sync' }).click();
    await expect
      .poll(
        async () => {
          const res = await page.request.get('/api/v1/images?repository=node-app&pageSize=50');
          const { items } = (await res.json()) as { items: { digest: string }[] };
          return items.some((i) => i.digest === manifestDigest);
        },
        { timeout: 60_000 },
      )
      .toBe(true);

    // Scan Now for the instance, and wait for it to finish.
    await row.getByRole('button', { name: 'Scan Now' }).click();
    const dock = page.getByRole('complementary', { name: 'Scan progress' });
    await expect(dock.getByText(/^(\d+) \/ \1 images$/)).toBeVisible({ timeout: 120_000 });

    // What changed, for the whole fleet: minimist's findings resolved by new image content.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'What changed' })
      .click();
    await expect(page).toHaveURL(/\/changes$/);
    await page.getByRole('combobox', { name: 'Change', exact: true }).selectOption('resolved');
    await page.getByRole('combobox', { name: 'Why' }).selectOption('image_content');
    const table = page.getByRole('table', { name: 'Changes' });
    const minimist = table.getByRole('row', { name: /minimist/ });
    await expect(minimist.first()).toBeVisible();
    await expect(minimist.first()).toContainText('new image content');
    await expect(minimist.first()).toContainText('Resolved');
    // Every resolved-by-content row is minimist: the rebuild changed nothing else.
    const rows = table.getByRole('row');
    await expect
      .poll(async () =>
        (await rows.allTextContents()).slice(1).every((t) => t.includes('minimist')),
      )
      .toBe(true);
    await shot(page, 'what-changed');

    // The rebuilt image's own page links to its changes, compared with the digest it replaced.
    await page.goto(`/images/${encodeURIComponent(manifestDigest)}`);
    await page.getByRole('main').getByRole('link', { name: 'What changed' }).click();
    await expect(page).toHaveURL(/imageId=/);
    await expect(table.getByRole('row', { name: /minimist/ }).first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'Change summary' })).toContainText('resolved');

    // The fix plan shows what the rebuild actually cleared.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Fix plan' })
      .click();
    await expect(page.getByRole('region', { name: 'Cleared in the last 7 days' })).toContainText(
      'minimist',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
