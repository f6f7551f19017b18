// @vitest-environment jsdom
import { type Health, HealthSchema } from '@drydock/contract';
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceBanner } from '../src/features/health/service-banner.tsx';
import { renderAt, stubApi } from './render.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const healthy: Health = HealthSchema.parse({
  status: 'ok',
  version: '0.1.0',
  uptimeSeconds: 5,
  database: { status: 'up', latencyMs: 1 },
  workers: { alive: 1, running: 0, windowSeconds: 30 },
  queue: { queued: 0, running: 0, oldestQueuedSeconds: null },
  scans: { state: 'ok', detail: null },
});

function answer(health: Health) {
  stubApi((url) =>
    url.pathname === '/api/health'
      ? { status: health.status === 'ok' ? 200 : 503, body: HealthSchema.parse(health) }
      : undefined,
  );
}

describe('ServiceBanner', () => {
  it('says nothing while workers run and the queue moves', async () => {
    answer(healthy);
    renderAt(<ServiceBanner />);
    // The health answer arrives and still no alert is shown.
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('warns when no worker is alive, instead of an eternal "queued"', async () => {
    answer({
      ...healthy,
      workers: { alive: 0, running: 0, windowSeconds: 30 },
      queue: { queued: 3, running: 0, oldestQueuedSeconds: 40 },
      scans: {
        state: 'no_workers',
        detail: 'no worker is running: 3 jobs wait (start one with `pnpm worker`)',
      },
    });
    renderAt(<ServiceBanner />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Scans cannot make progress: no worker is running: 3 jobs wait (start one with `pnpm worker`).',
    );
  });

  it('warns when the queue is stuck, and when the database is away', async () => {
    answer({
      ...healthy,
      scans: {
        state: 'stuck',
        detail: 'the queue is not moving: the oldest job has waited 12 min',
      },
    });
    const first = renderAt(<ServiceBanner />);
    expect((await screen.findByRole('alert')).textContent).toContain('the queue is not moving');
    first.unmount();
    answer({
      ...healthy,
      status: 'degraded',
      database: { status: 'down', error: "Can't reach database server" },
      workers: null,
      queue: null,
      scans: { state: 'unknown', detail: 'the database is unreachable' },
    });
    renderAt(<ServiceBanner />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      "The database is unreachable (Can't reach database server)",
    );
  });
});
