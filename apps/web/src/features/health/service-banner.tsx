import { useHealth } from '../../api/health/get-health.ts';

/**
 * A banner over every page when scans cannot make progress: the database is away, no worker is
 * running, or the queue is stuck. Without it, Scan Now would just sit at "queued".
 */
export function ServiceBanner() {
  const health = useHealth();
  if (!health.data) return null;
  const { database, scans } = health.data;
  const message =
    database.status === 'down'
      ? `The database is unreachable (${database.error ?? 'no answer'}): the console cannot load or save anything until it is back.`
      : scans.state === 'no_workers' || scans.state === 'stuck'
        ? `Scans cannot make progress: ${scans.detail}.`
        : undefined;
  if (!message) return null;
  return (
    <div className="warning-banner service-banner" role="alert">
      {message}
    </div>
  );
}
