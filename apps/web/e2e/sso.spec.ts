import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './auth.ts';

const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');

/** The identity provider's own pages: its login form, then its consent form. */
async function atProvider(page: Page, login: string) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent
}

test('single sign-on: a group with a role signs in (account made on the way), one without is told why', async ({
  page,
}) => {
  // Past first-run setup (the local administrator exists), then signed out.
  await signIn(page);
  await page.context().clearCookies();
  await page.goto('/');
  const sso = page.getByRole('link', { name: 'Sign in with Example SSO' });
  await expect(sso).toBeVisible();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible(); // local accounts too
  await page.screenshot({ path: path.join(shots, 'sign-in-sso.png') });
  await sso.click();
  await atProvider(page, 'dana');
  await expect(page.getByText('dana (analyst)')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Image Security' })).toBeVisible();
  // Her password is the identity provider's business.
  await expect(page.getByRole('button', { name: 'Change password' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Someone else, in another browser (no session at the provider either).
  await page.context().clearCookies();
  await page.goto('/');

  await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
  await atProvider(page, 'eve');
  await expect(page.getByRole('alert')).toContainText('none of your groups has a Drydock role');
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  expect(new URL(page.url()).search).toBe('');
});
