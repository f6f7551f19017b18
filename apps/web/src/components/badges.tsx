import type { Priority, SampleSeverity } from '@drydock/contract';
import { capitalize } from '../lib/format.ts';

/** Priority as text and colour (High red, Medium orange, Low gray): readable without colour. */
export function PriorityBadge({ priority, count }: { priority: Priority; count?: number }) {
  return (
    <span className={`prio prio-${priority}`} title={`${capitalize(priority)} priority`}>
      {capitalize(priority)}
      {count !== undefined ? <strong className="prio-count"> {count}</strong> : null}
    </span>
  );
}

const SEVERITY_CLASS: Record<SampleSeverity, string> = {
  urgent: 'high',
  warning: 'medium',
  notice: 'low',
};

export function SampleSeverityBadge({
  severity,
  count,
}: {
  severity: SampleSeverity;
  count?: number;
}) {
  return (
    <span
      className={`prio prio-${SEVERITY_CLASS[severity]}`}
      title={`${capitalize(severity)} severity`}
    >
      {capitalize(severity)}
      {count !== undefined ? <strong className="prio-count"> {count}</strong> : null}
    </span>
  );
}

/** A number in its priority's colour (affected assets). */
export function PriorityCount({ priority, value }: { priority: Priority; value: number }) {
  return <span className={`count count-${priority}`}>{value}</span>;
}

const STATUS_LABEL: Record<string, string> = {
  open: 'Open',
  ignored: 'Ignored',
  handled: 'Handled',
  resolved: 'Resolved',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}
