// @vitest-environment jsdom
import { TrendSchema } from '@drydock/contract';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PriorityBadge, PriorityCount, SampleSeverityBadge } from '../src/components/badges.tsx';
import { CopyButton } from '../src/components/copy-button.tsx';
import { Drawer } from '../src/components/drawer.tsx';
import { Pagination } from '../src/components/pagination.tsx';
import { TrendChart } from '../src/components/trend-chart.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('priority and severity', () => {
  it('say the priority in words as well as in colour', () => {
    render(
      <>
        <PriorityBadge priority="high" count={3} />
        <PriorityBadge priority="medium" />
        <PriorityBadge priority="low" />
        <PriorityCount priority="high" value={7} />
        <SampleSeverityBadge severity="urgent" />
      </>,
    );
    const high = screen.getByTitle('High priority');
    expect(high.textContent).toBe('High 3');
    expect(high.className).toBe('prio prio-high');
    expect(screen.getByTitle('Medium priority').className).toBe('prio prio-medium');
    expect(screen.getByTitle('Low priority').className).toBe('prio prio-low');
    expect(screen.getByText('7').className).toBe('count count-high');
    // Urgent samples share the red of High priority.
    expect(screen.getByTitle('Urgent severity').className).toBe('prio prio-high');
  });
});

describe('TrendChart', () => {
  it('draws one line per priority scaled to the largest value, with a text summary', () => {
    const data = TrendSchema.parse({
      days: [
        { day: '2026-11-27', high: 0, medium: 2, low: 10 },
        { day: '2026-11-28', high: 5, medium: 2, low: 10 },
        { day: '2026-11-29', high: 1, medium: 4, low: 20 },
      ],
    });
    const { container } = render(<TrendChart days={data.days} width={100} height={50} />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      'Open findings over 3 days: now 1 high, 4 medium, 20 low',
    );
    const low = container.querySelector('polyline[data-series="low"]')?.getAttribute('points');
    // Low peaks at 20 = the top of the chart (y = 2), 10 is half way.
    expect(low).toBe('2.0,25.0 50.0,25.0 98.0,2.0');
    expect(screen.getByText('High 1')).toBeTruthy();
    expect(screen.getByText('2026-11-27 → 2026-11-29', { exact: false })).toBeTruthy();
  });
});

describe('Drawer', () => {
  it('takes focus, keeps Tab inside, closes on Escape and gives focus back', async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(
      <>
        <button type="button">opener</button>
        <Drawer title="CVE-1" onClose={onClose}>
          <a href="#x">first link</a>
          <button type="button">last button</button>
        </Drawer>
      </>,
    );
    const dialog = screen.getByRole('dialog', { name: 'CVE-1' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    await user.tab();
    expect(document.activeElement?.textContent).toBe('first link');
    await user.tab();
    await user.tab();
    // Wrapped around to the close button.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('Pagination and CopyButton', () => {
  it('pages within bounds', async () => {
    const onPage = vi.fn();
    render(<Pagination page={1} pageSize={25} total={60} onPage={onPage} />);
    expect(screen.getByText('1–25 of 60')).toBeTruthy();
    expect(screen.getByText('Page 1 of 3')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(onPage).toHaveBeenCalledWith(2);
  });

  it('copies the exact text and says so', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<CopyButton text="apt-get install --only-upgrade openssl" label="Copy fix command" />);
    await userEvent.click(screen.getByRole('button', { name: 'Copy fix command' }));
    expect(writeText).toHaveBeenCalledWith('apt-get install --only-upgrade openssl');
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeTruthy();
  });
});
