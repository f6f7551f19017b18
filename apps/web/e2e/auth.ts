import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

export const ADMIN = { username: 'admin', password: 'e2e admin password 2026' };

/** The one-time setup token the API wrote into its data folder on first start. */
export function setupToken(): string {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir) throw new Error('E2E_DATA_DIR is not set (playwright.config.ts sets it)');
  return readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
}

/**
 * Signs the page's browser context in as the admin through the API (creating the admin on first
 * run); returns the headers a state-changing request of that session needs.
 */
export async function signIn(page: Page): Promise<Record<string, string>> {
  const needed = (await (await page.request.get('/api/v1/setup')).json()).needed as boolean;
  const res = needed
    ? await page.request.post('/api/v1/setup', { data: { token: setupToken(), ...ADMIN } })
    : await page.request.post('/api/v1/auth/login', { data: ADMIN });
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { 'x-csrf-token': csrfToken };
}
