import path from 'node:path';
import { shared } from '@drydock/test-data';
import { expect, test } from '@playwright/test';
import { signIn } from './auth.ts';

test('upload an image tarball from the Scans page and find it among the images', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/scans');
  await page
    .getByLabel('Upload image tarball')
    .setInputFiles(shared('images', 'alpine-311.tar.gz'));
  const dock = page.getByRole('complementary', { name: 'Scan progress' });
  await expect(dock).toContainText('alpine-311.tar.gz');
  await expect(dock.getByText('1 / 1 images').last()).toBeVisible({ timeout: 60_000 });
  await expect(dock.locator('[data-status="succeeded"]').last()).toBeVisible();
  await page.screenshot({
    path: path.resolve(import.meta.dirname, '../../../.test-output/screenshots/scans-upload.png'),
  });
  // It lands in the history as an upload, and its image has findings like any other.
  await page.goto('/scans');
  await expect(
    page
      .getByRole('table', { name: 'Scan history' })
      .getByRole('row', { name: /upload alpine-311\.tar\.gz/ }),
  ).toBeVisible();
  await page.goto('/images?name=alpine-311');
  const row = page
    .getByRole('table', { name: 'Images' })
    .getByRole('row', { name: /alpine-311\.tar\.gz/ });
  await expect(row).toContainText('uploaded');
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { name: /alpine-311\.tar\.gz/ })).toBeVisible();
});
