import { ROLE_PERMISSIONS, SessionInfoSchema } from '@drydock/contract';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { SessionProvider } from '../src/lib/session.tsx';

/** A signed-in administrator (components check permissions through the session). */
export const ADMIN = SessionInfoSchema.parse({
  user: {
    id: '00000000-0000-4000-8000-00000000000a',
    username: 'admin',
    role: 'admin',
    instanceIds: [],
    namespaceIds: [],
    disabled: false,
    lastLoginAt: null,
    createdAt: '2026-11-29T00:00:00.000Z',
  },
  csrfToken: 'csrf',
  permissions: ROLE_PERMISSIONS.admin,
});

/** Renders a component inside the router (at `url`) and a fresh query client. */
export function renderAt(element: ReactNode, url = '/', path = '*') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path, element }], { initialEntries: [url] });
  const view = render(
    <QueryClientProvider client={client}>
      <SessionProvider value={ADMIN}>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...view, router, client };
}

type Handler = (url: URL, init?: RequestInit) => { status?: number; body?: unknown } | undefined;

/**
 * The API as the component sees it: answers by path. Bodies are built from (and checked
 * against) the shared contract by the tests that use it.
 */
export function stubApi(handler: Handler) {
  const calls: { url: URL; init?: RequestInit }[] = [];
  const fetchMock = vi.fn(async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    calls.push({ url, ...(init ? { init } : {}) });
    const answer = handler(url, init) ?? {
      status: 404,
      body: { type: 'about:blank', title: 'Not Found', status: 404 },
    };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}
