import { useHealth } from '../../api/health/get-health.ts';

/** Server and database status in the top bar, so a broken installation is visible at once. */
export function HealthBadge() {
  const health = useHealth();
  if (health.isPending) return <span className="badge badge-muted">Connecting…</span>;
  if (health.isError) {
    return (
      <span className="badge badge-high" role="status">
        API unreachable
      </span>
    );
  }
  const { database, version } = health.data;
  return (
    <span
      className={`badge ${database.status === 'up' ? 'badge-ok' : 'badge-high'}`}
      role="status"
      title={database.error ?? `database latency ${database.latencyMs ?? '?'} ms`}
    >
      Drydock {version} · database {database.status}
    </span>
  );
}
