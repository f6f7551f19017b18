import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './auth.ts';

const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');
const AUDRA = { username: 'audra', first: 'audra first password', second: 'audra second password' };

async function signInAs(page: Page, username: string, password: string) {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('User name').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

test('an admin adds an auditor, who changes her password and reads the security log', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/settings');
  const add = page.getByRole('form', { name: 'Add user' });
  await add.getByLabel('User name').fill(AUDRA.username);
  await add.getByLabel(/Password/).fill(AUDRA.first);
  await add.getByLabel('Role').selectOption('auditor');
  await add.getByRole('button', { name: 'Add user' }).click();
  const users = page.getByRole('table', { name: 'Users' });
  await expect(users.getByRole('row', { name: /audra auditor every image/ })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Audra signs in, changes her password; her old one stops working.
  await signInAs(page, AUDRA.username, AUDRA.first);
  await expect(page.getByText('audra (auditor)')).toBeVisible();
  await page.getByRole('button', { name: 'Change password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change password' });
  await expect(dialog.getByLabel('Current password')).toBeFocused();
  await dialog.getByLabel('Current password').fill('not her password');
  await dialog.getByLabel(/^New password \(/).fill(AUDRA.second);
  await dialog.getByLabel('New password again').fill(AUDRA.second);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog.getByRole('alert')).toContainText('the current password is wrong');
  await dialog.getByLabel('Current password').fill(AUDRA.first);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog.getByRole('status')).toContainText('Password changed');
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  // Still signed in with the renewed session: a page that needs it loads.
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Security log' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInAs(page, AUDRA.username, AUDRA.first);
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toContainText(
    'wrong user name or password',
  );
  await signInAs(page, AUDRA.username, AUDRA.second);
  await expect(page.getByText('audra (auditor)')).toBeVisible();

  // The auditor reads the log: her password changes, filtered down to the failure.
  await page.goto('/settings');
  const log = page.getByRole('table', { name: 'Security log' });
  const filters = page.getByRole('form', { name: 'Filter the security log' });
  await filters.getByLabel('Action').selectOption('password.');
  await expect(log.getByRole('row')).toHaveCount(3); // header + success + failure
  await filters.getByLabel('Outcome').selectOption('failure');
  await expect(log.getByRole('row')).toHaveCount(2);
  await expect(log.getByRole('row').nth(1)).toContainText('audra');
  await expect(log.getByRole('row').nth(1)).toContainText('failure');
  // Auditors change nothing: no user administration, no advisory import.
  await expect(page.getByRole('table', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Import advisories' })).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Triage log' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'settings-auditor.png'), fullPage: true });
});
