// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RegistriesPage } from '../src/features/registries/registries-page.tsx';
import { ScanTrackerProvider } from '../src/features/scans/scan-tracker.tsx';
import { AccountsSection } from '../src/features/settings/accounts-section.tsx';
import { setCsrfToken } from '../src/lib/api-client.ts';
import { renderAt, stubApi } from './render.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const registry = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'prod',
  url: 'https://registry.example.com',
  username: null,
  hasCredentials: false,
  repositories: [],
  scanIntervalMinutes: null,
  nextScheduledAt: null,
  lastCheckAt: null,
  lastCheckOk: null,
  lastCheckError: null,
  lastSyncAt: null,
  lastSyncError: null,
  imageCount: 3,
  createdAt: '2026-11-29T00:00:00.000Z',
};

describe('Settings: users and tokens', () => {
  it('adds a user scoped to a registry, and shows a new token once', async () => {
    const calls = stubApi((url, init) => {
      if (url.pathname === '/api/v1/registries') return { body: { items: [registry] } };
      if (url.pathname === '/api/v1/users' && init?.method === 'POST') {
        const body = JSON.parse(String(init.body));
        return {
          status: 201,
          body: {
            id: '21111111-1111-4111-8111-111111111111',
            disabled: false,
            lastLoginAt: null,
            createdAt: '2026-11-29T00:00:00.000Z',
            namespaceIds: [],
            ...body,
            password: undefined,
          },
        };
      }
      if (url.pathname === '/api/v1/users') return { body: { items: [] } };
      if (url.pathname === '/api/v1/tokens' && init?.method === 'POST') {
        return {
          status: 201,
          body: {
            id: '31111111-1111-4111-8111-111111111111',
            name: 'ci',
            prefix: 'ddk_abcdef',
            role: 'analyst',
            instanceIds: [],
            namespaceIds: [],
            owner: 'admin',
            createdAt: '2026-11-29T00:00:00.000Z',
            expiresAt: null,
            lastUsedAt: null,
            revokedAt: null,
            token: 'ddk_abcdef-the-secret',
          },
        };
      }
      if (url.pathname === '/api/v1/tokens') return { body: { items: [] } };
      if (url.pathname === '/api/v1/audit/security')
        return { body: { items: [], total: 0, page: 1, pageSize: 50 } };
      return undefined;
    });
    setCsrfToken('session-csrf');
    renderAt(<AccountsSection />);
    const form = await screen.findByRole('form', { name: 'Add user' });
    await userEvent.type(within(form).getByLabelText('User name'), 'dana');
    await userEvent.type(within(form).getByLabelText(/Password/), 'a long enough password');
    await userEvent.click(await within(form).findByRole('checkbox', { name: 'prod' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Add user' }));
    await waitFor(() =>
      expect(
        calls.some((c) => c.url.pathname === '/api/v1/users' && c.init?.method === 'POST'),
      ).toBe(true),
    );
    const post = calls.find((c) => c.url.pathname === '/api/v1/users' && c.init?.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      username: 'dana',
      password: 'a long enough password',
      role: 'analyst',
      instanceIds: [registry.id],
    });
    // Every change carries the session's CSRF token.
    expect(new Headers(post?.init?.headers).get('x-csrf-token')).toBe('session-csrf');

    const tokenForm = screen.getByRole('form', { name: 'Create token' });
    await userEvent.type(within(tokenForm).getByLabelText('Name'), 'ci');
    await userEvent.click(within(tokenForm).getByRole('button', { name: 'Create token' }));
    expect((await within(tokenForm).findByRole('status')).textContent).toContain(
      'ddk_abcdef-the-secret',
    );
  });
});

describe('Registries: edit', () => {
  it('sends only what changed; a blank password keeps the stored one', async () => {
    const calls = stubApi((url, init) => {
      if (url.pathname === '/api/v1/registries')
        return { body: { items: [{ ...registry, username: 'bot', hasCredentials: true }] } };
      if (url.pathname === `/api/v1/registries/${registry.id}` && init?.method === 'PATCH') {
        return { body: { ...registry, ...JSON.parse(String(init.body)), credentials: undefined } };
      }
      return undefined;
    });
    renderAt(
      <ScanTrackerProvider>
        <RegistriesPage />
      </ScanTrackerProvider>,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Edit prod' });
    await userEvent.type(within(form).getByLabelText(/Scan every/), '60');
    await userEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.init?.method === 'PATCH');
    expect(JSON.parse(String(patch?.init?.body))).toEqual({ scanIntervalMinutes: 60 });
  });
});
