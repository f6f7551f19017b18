import type { CreateScan } from '@drydock/contract';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import { Link } from 'react-router';
import { useRefreshScanResults } from '../api/refresh.ts';
import { useScan } from '../api/scans/get-scan.ts';
import { isActive } from '../api/scans/is-active.ts';
import { useRetryScan } from '../api/scans/retry-scan.ts';
import { useStartScan } from '../api/scans/start-scan.ts';
import { paths } from '../config/paths.ts';
import { StatusBadge } from './badges.tsx';
import { InlineError } from './states.tsx';

interface Tracker {
  scans: string[];
  track(id: string): void;
  dismiss(id: string): void;
}

const TrackerContext = createContext<Tracker | null>(null);
const STORAGE = 'drydock.trackedScans';

/** Scans started from this browser tab, followed live until dismissed (survives reloads). */
export function ScanTrackerProvider({ children }: { children: ReactNode }) {
  const [scans, setScans] = useState<string[]>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(STORAGE) ?? '[]') as string[];
    } catch {
      return [];
    }
  });
  useEffect(() => sessionStorage.setItem(STORAGE, JSON.stringify(scans)), [scans]);
  const track = useCallback(
    (id: string) => setScans((s) => [id, ...s.filter((x) => x !== id)].slice(0, 5)),
    [],
  );
  const dismiss = useCallback((id: string) => setScans((s) => s.filter((x) => x !== id)), []);
  return (
    <TrackerContext.Provider value={{ scans, track, dismiss }}>
      {children}
      <ScanProgressDock />
    </TrackerContext.Provider>
  );
}

export function useScanTracker(): Tracker {
  const tracker = useContext(TrackerContext);
  if (!tracker) throw new Error('useScanTracker outside ScanTrackerProvider');
  return tracker;
}

/** "Scan Now" for a scope: queues the scan and follows its progress in the dock. */
export function ScanNowButton({
  scope,
  label = 'Scan Now',
}: {
  scope: CreateScan['scope'];
  label?: string;
}) {
  const start = useStartScan();
  const { track } = useScanTracker();
  return (
    <span className="scan-now">
      <button
        type="button"
        className="primary"
        disabled={start.isPending}
        onClick={() => start.mutate({ scope }, { onSuccess: (created) => track(created.id) })}
      >
        {start.isPending ? 'Starting…' : label}
      </button>
      <InlineError error={start.error} inline />
    </span>
  );
}

function ScanProgressDock() {
  const { scans } = useScanTracker();
  if (scans.length === 0) return null;
  return (
    <aside className="scan-dock" aria-label="Scan progress">
      {scans.map((id) => (
        <ScanProgressCard key={id} id={id} />
      ))}
    </aside>
  );
}

/** One tracked scan: overall progress, per-image state, failures with reasons, retry. */
export function ScanProgressCard({ id }: { id: string }) {
  const { dismiss } = useScanTracker();
  const scan = useScan(id);
  const retry = useRetryScan();
  const refresh = useRefreshScanResults();
  const done = useRef(-1);
  const data = scan.data;
  // Tables refresh as results land: every time another image finishes.
  useEffect(() => {
    if (!data) return;
    const finished = data.counts.succeeded + data.counts.failed;
    if (done.current !== -1 && finished !== done.current) {
      refresh();
    }
    done.current = finished;
  }, [data, refresh]);
  if (scan.error) {
    return (
      <section className="scan-card">
        <p role="alert">
          Scan {id.slice(0, 8)}: {String(scan.error)}
        </p>
        <button type="button" onClick={() => dismiss(id)}>
          Dismiss
        </button>
      </section>
    );
  }
  if (!data) return <section className="scan-card">Starting scan…</section>;
  const failed = data.items.filter((i) => i.status === 'failed');
  return (
    <section
      className="scan-card"
      aria-label={`Scan ${data.id.slice(0, 8)}`}
      data-status={data.status}
    >
      <header>
        <strong>Scan</strong> <StatusBadge status={data.status} />{' '}
        <span className="scan-counts">
          {data.counts.succeeded + data.counts.failed} / {data.counts.total} images
        </span>
        <button
          type="button"
          className="link"
          onClick={() => dismiss(id)}
          aria-label="Dismiss scan progress"
        >
          ×
        </button>
      </header>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(data.progress)}
        aria-label="Scan progress"
      >
        <div className="progress-bar" style={{ width: `${data.progress}%` }} />
      </div>
      <ul className="scan-items">
        {data.items.slice(0, 8).map((item) => (
          <li key={item.id}>
            <StatusBadge status={item.status} /> <span className="target">{item.target}</span>
            {item.status === 'running' && item.progress?.layers ? (
              <span className="muted">
                {' '}
                layer {item.progress.layer}/{item.progress.layers}
              </span>
            ) : null}
            {item.reason ? <div className="reason">{item.reason}</div> : null}
          </li>
        ))}
        {data.items.length > 8 ? (
          <li className="muted">
            <Link to={paths.scan.getHref(data.id)}>and {data.items.length - 8} more…</Link>
          </li>
        ) : null}
      </ul>
      <footer>
        <Link to={paths.scan.getHref(data.id)}>Details</Link>
        {failed.length > 0 && !isActive(data.status) ? (
          <button type="button" onClick={() => retry.mutate(data.id)} disabled={retry.isPending}>
            Retry {failed.length} failed
          </button>
        ) : null}
      </footer>
    </section>
  );
}
