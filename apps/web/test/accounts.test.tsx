// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScanTrackerProvider } from '../src/components/scan-tracker.tsx';
import { UserMenu } from '../src/features/auth/auth.tsx';
import { RegistriesPage } from '../src/features/registries/registries-page.tsx';
import { ScansPage } from '../src/features/scans/scans-page.tsx';
import { AccountsSection } from '../src/features/settings/accounts-section.tsx';
import { SecurityLog } from '../src/features/settings/audit-logs.tsx';
import { setCsrfToken } from '../src/lib/api-client.ts';
import { ADMIN, renderAt, stubApi } from './render.tsx';

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
  eventsEnabled: false,
  lastEventAt: null,
  createdAt: '2026-11-29T00:00:00.000Z',
};

const namespaces = [
  {
    id: '41111111-1111-4111-8111-111111111111',
    instanceId: registry.id,
    name: 'ops',
    repositories: 2,
    images: 5,
  },
  {
    id: '51111111-1111-4111-8111-111111111111',
    instanceId: registry.id,
    name: 'shop',
    repositories: 1,
    images: 1,
  },
];

describe('Settings: users and tokens', () => {
  it('adds a user scoped to a namespace, and shows a new token once', async () => {
    const calls = stubApi((url, init) => {
      if (url.pathname === '/api/v1/registries') return { body: { items: [registry] } };
      if (url.pathname === `/api/v1/registries/${registry.id}/namespaces`)
        return { body: { items: namespaces } };
      if (url.pathname === '/api/v1/users' && init?.method === 'POST') {
        const body = JSON.parse(String(init.body));
        return {
          status: 201,
          body: {
            id: '21111111-1111-4111-8111-111111111111',
            disabled: false,
            lastLoginAt: null,
            createdAt: '2026-11-29T00:00:00.000Z',
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
      if (url.pathname.startsWith('/api/v1/audit/'))
        return { body: { items: [], total: 0, page: 1, pageSize: 25 } };
      return undefined;
    });
    setCsrfToken('session-csrf');
    renderAt(<AccountsSection />);
    const form = await screen.findByRole('form', { name: 'Add user' });
    await userEvent.type(within(form).getByLabelText('User name'), 'dana');
    await userEvent.type(within(form).getByLabelText(/Password/), 'a long enough password');
    // Namespaces are listed under their instance; ticking the whole instance covers them all.
    const ops = await within(form).findByRole('checkbox', { name: /^ops/ });
    await userEvent.click(ops);
    const whole = within(form).getByRole('checkbox', { name: 'prod (whole instance)' });
    await userEvent.click(whole);
    expect((ops as HTMLInputElement).disabled).toBe(true);
    expect((ops as HTMLInputElement).checked).toBe(true);
    await userEvent.click(whole);
    expect((ops as HTMLInputElement).checked).toBe(false);
    await userEvent.click(ops);
    expect(within(form).getByText('2 repositories, 5 images')).toBeTruthy();
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
      instanceIds: [],
      namespaceIds: [namespaces[0]?.id],
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

const user = (id: string, username: string, extra: Record<string, unknown> = {}) => ({
  id,
  username,
  role: 'analyst',
  instanceIds: [],
  namespaceIds: [],
  disabled: false,
  lastLoginAt: null,
  createdAt: '2026-11-29T00:00:00.000Z',
  ...extra,
});

describe('Settings: editing users', () => {
  it('changes role, scope and password in a drawer, disables others, and never demotes oneself', async () => {
    const bob = user('61111111-1111-4111-8111-111111111111', 'bob', {
      namespaceIds: [namespaces[1]?.id],
    });
    const me = user(ADMIN.user.id, 'admin', { role: 'admin' });
    const calls = stubApi((url, init) => {
      if (url.pathname === '/api/v1/registries') return { body: { items: [registry] } };
      if (url.pathname.endsWith('/namespaces')) return { body: { items: namespaces } };
      if (url.pathname === `/api/v1/users/${bob.id}` && init?.method === 'PATCH')
        return { body: { ...bob, ...JSON.parse(String(init.body)), password: undefined } };
      if (url.pathname === '/api/v1/users') return { body: { items: [me, bob] } };
      if (url.pathname === '/api/v1/tokens') return { body: { items: [] } };
      if (url.pathname.startsWith('/api/v1/audit/'))
        return { body: { items: [], total: 0, page: 1, pageSize: 25 } };
      return undefined;
    });
    renderAt(<AccountsSection />);
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(await within(table).findByText('1 namespace(s)')).toBeTruthy();
    await userEvent.click(within(table).getByRole('button', { name: 'Edit bob' }));
    let dialog = screen.getByRole('dialog', { name: 'User bob' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Role'), 'viewer');
    // bob's namespace is ticked already; add the whole instance instead.
    const shop = await within(dialog).findByRole('checkbox', { name: /^shop/ });
    expect((shop as HTMLInputElement).checked).toBe(true);
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'prod (whole instance)' }));
    await userEvent.type(within(dialog).getByLabelText(/New password/), 'a brand new password');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patches = () => calls.filter((c) => c.init?.method === 'PATCH');
    expect(JSON.parse(String(patches()[0]?.init?.body))).toEqual({
      role: 'viewer',
      instanceIds: [registry.id],
      namespaceIds: [],
      password: 'a brand new password',
    });

    await userEvent.click(within(table).getByRole('button', { name: 'Edit bob' }));
    dialog = screen.getByRole('dialog', { name: 'User bob' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Disable account' }));
    await waitFor(() => expect(patches()).toHaveLength(2));
    expect(JSON.parse(String(patches()[1]?.init?.body))).toEqual({ disabled: true });

    await userEvent.click(within(table).getByRole('button', { name: 'Edit admin' }));
    dialog = screen.getByRole('dialog', { name: 'User admin' });
    expect((within(dialog).getByLabelText('Role') as HTMLSelectElement).disabled).toBe(true);
    expect(within(dialog).queryByRole('button', { name: 'Disable account' })).toBeNull();
  });
});

describe('Settings: security log', () => {
  it('filters by outcome, action and who, pages, and shows what changed', async () => {
    const event = (i: number) => ({
      id: String(i),
      at: '2026-11-29T08:00:00.000Z',
      actor: 'admin',
      action: 'user.update',
      outcome: 'success',
      target: `user${i}`,
      ip: '127.0.0.1',
      detail: { role: 'viewer', instanceIds: ['x', 'y'] },
    });
    const calls = stubApi((url) =>
      url.pathname === '/api/v1/audit/security'
        ? {
            body: {
              items: Array.from({ length: 25 }, (_, i) => event(i)),
              total: 60,
              page: Number(url.searchParams.get('page') ?? 1),
              pageSize: 25,
            },
          }
        : undefined,
    );
    renderAt(<SecurityLog />);
    const table = await screen.findByRole('table', { name: 'Security log' });
    expect(await within(table).findAllByText('role: "viewer", instanceIds: 2')).toHaveLength(25);
    const last = () =>
      calls.filter((c) => c.url.pathname === '/api/v1/audit/security').at(-1)?.url.searchParams;
    await userEvent.selectOptions(screen.getByLabelText('Outcome'), 'failure');
    await waitFor(() => expect(last()?.get('outcome')).toBe('failure'));
    await userEvent.selectOptions(screen.getByLabelText('Action'), 'user.');
    await waitFor(() => expect(last()?.get('action')).toBe('user.'));
    await userEvent.type(screen.getByLabelText('Who'), 'carol{Enter}');
    await waitFor(() => expect(last()?.get('actor')).toBe('carol'));
    expect(last()?.get('page')).toBe('1');
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()?.get('page')).toBe('2'));
    expect(last()?.get('outcome')).toBe('failure');
    expect(screen.getByText('Page 2 of 3')).toBeTruthy();
  });
});

describe('Change password', () => {
  it('checks the two new passwords match, sends the current one, and takes the new session', async () => {
    const renewed = { ...ADMIN, csrfToken: 'renewed-csrf' };
    const calls = stubApi((url, init) =>
      url.pathname === '/api/v1/auth/password' && init?.method === 'POST'
        ? { body: renewed }
        : undefined,
    );
    setCsrfToken('old-csrf');
    const { client } = renderAt(<UserMenu />);
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    const dialog = screen.getByRole('dialog', { name: 'Change password' });
    expect(document.activeElement).toBe(within(dialog).getByLabelText('Current password'));
    await userEvent.type(within(dialog).getByLabelText('Current password'), 'the old one!');
    await userEvent.type(within(dialog).getByLabelText(/^New password \(/), 'a new password 1');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'a new password 2');
    expect(within(dialog).getByText('The two new passwords differ.')).toBeTruthy();
    const submit = within(dialog).getByRole('button', { name: 'Change password' });
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await userEvent.clear(within(dialog).getByLabelText('New password again'));
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'a new password 1');
    await userEvent.click(submit);
    expect((await within(dialog).findByRole('status')).textContent).toContain('Password changed');
    const post = calls.find((c) => c.url.pathname === '/api/v1/auth/password');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      currentPassword: 'the old one!',
      newPassword: 'a new password 1',
    });
    expect(new Headers(post?.init?.headers).get('x-csrf-token')).toBe('old-csrf');
    // The new session's CSRF token is the one the next change carries.
    expect(client.getQueryData(['session'])).toEqual(renewed);
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

describe('Scans: upload', () => {
  it('uploads a picked tarball as bytes with a safe name, and follows the new scan', async () => {
    const created = { id: '71111111-1111-4111-8111-111111111111', images: 1, joined: 0 };
    const calls = stubApi((url, init) => {
      if (url.pathname === '/api/v1/scans/upload' && init?.method === 'POST')
        return { status: 202, body: created };
      if (url.pathname === '/api/v1/scans')
        return { body: { items: [], total: 0, page: 1, pageSize: 20 } };
      return undefined;
    });
    renderAt(
      <ScanTrackerProvider>
        <ScansPage />
      </ScanTrackerProvider>,
    );
    const file = new File([new Uint8Array([1, 2, 3])], 'my image (1).tar', { type: '' });
    await userEvent.upload(screen.getByLabelText('Upload image tarball'), file);
    await waitFor(() =>
      expect(calls.some((c) => c.url.pathname === '/api/v1/scans/upload')).toBe(true),
    );
    const post = calls.find((c) => c.url.pathname === '/api/v1/scans/upload');
    expect(post?.url.searchParams.get('name')).toBe('my_image__1_.tar');
    expect(new Headers(post?.init?.headers).get('content-type')).toBe('application/octet-stream');
    expect(post?.init?.body).toBeInstanceOf(Blob);
    expect((post?.init?.body as Blob | undefined)?.size).toBe(3);
    await waitFor(() =>
      expect(JSON.parse(sessionStorage.getItem('drydock.trackedScans') ?? '[]')).toContain(
        created.id,
      ),
    );
  });
});
