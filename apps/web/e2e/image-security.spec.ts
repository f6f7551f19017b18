import { expect, test } from '@playwright/test';
import { ADMIN, setupToken, signIn } from './auth.ts';

test('first run: create the administrator with the setup token, then sign out and in', async ({
  page,
}) => {
  await page.goto('/');
  const setup = page.getByRole('form', { name: 'Create administrator' });
  // A fresh installation asks for the first administrator; a retried run signs in.
  await expect(page.getByRole('form').first()).toBeVisible();
  if (await setup.isVisible()) {
    await setup.getByLabel('Setup token').fill('setup_not-the-right-token-000000');
    await setup.getByLabel('User name').fill(ADMIN.username);
    await setup.getByLabel(/Password/).fill(ADMIN.password);
    await setup.getByRole('button', { name: 'Create administrator' }).click();
    await expect(setup.getByRole('alert')).toContainText('setup token is wrong');
    await setup.getByLabel('Setup token').fill(setupToken());
    await setup.getByRole('button', { name: 'Create administrator' }).click();
  } else {
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(page.getByRole('heading', { name: 'Image Security' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  const login = page.getByRole('form', { name: 'Sign in' });
  await login.getByLabel('User name').fill(ADMIN.username);
  await login.getByLabel('Password').fill('wrong password!!');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(login.getByRole('alert')).toContainText('wrong user name or password');
  await login.getByLabel('Password').fill(ADMIN.password);
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(`${ADMIN.username} (admin)`)).toBeVisible();
});

test('the console opens on the Image Security page with its four tabs', async ({ page }) => {
  await signIn(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/image-security\/system$/);
  await expect(page.getByRole('heading', { name: 'Image Security' })).toBeVisible();

  const tabs = page.getByRole('tab');
  // Each tab carries its count of open items.
  await expect(tabs).toHaveText([
    'Image System Vulnerabilities 0',
    'Image Application Vulnerabilities 0',
    'Malicious Image Samples 0',
    'Sensitive Content 0',
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
  await signIn(page);
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
