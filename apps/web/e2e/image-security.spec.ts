import { expect, test } from '@playwright/test';

test('the console opens on the Image Security page with its three tabs', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/image-security\/system$/);
  await expect(page.getByRole('heading', { name: 'Image Security' })).toBeVisible();

  const tabs = page.getByRole('tab');
  // Each tab carries its count of open items.
  await expect(tabs).toHaveText([
    'Image System Vulnerabilities 0',
    'Image Application Vulnerabilities 0',
    'Malicious Image Samples 0',
  ]);
  await expect(page.getByRole('tab', { name: /Image System Vulnerabilities/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(page.getByText('No image system vulnerabilities yet')).toBeVisible();

  // The header shows live data from the API and the database behind it.
  await expect(page.getByRole('status')).toContainText('database up');
});

test('each tab has its own URL and empty state, and the back button returns', async ({ page }) => {
  await page.goto('/image-security/system');
  await page.getByRole('tab', { name: /Image Application Vulnerabilities/ }).click();
  await expect(page).toHaveURL(/\/image-security\/application$/);
  await expect(page.getByText('No image application vulnerabilities yet')).toBeVisible();

  await page.getByRole('tab', { name: /Malicious Image Samples/ }).click();
  await expect(page).toHaveURL(/\/image-security\/malicious$/);
  await expect(page.getByText('No malicious image samples yet')).toBeVisible();
  await expect(page.getByRole('tab', { name: /Malicious Image Samples/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );

  await page.goBack();
  await expect(page).toHaveURL(/\/image-security\/application$/);

  // A deep link loads directly (the server falls back to the console for client routes).
  await page.goto('/image-security/malicious');
  await expect(page.getByText('No malicious image samples yet')).toBeVisible();
});
