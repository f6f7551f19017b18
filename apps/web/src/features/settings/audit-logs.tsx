import { SecurityOutcomeSchema, TriageRequestSchema } from '@drydock/contract';
import type { UseQueryResult } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { AuditLogQuery } from '../../api/audit/audit-log-query.ts';
import { useSecurityLog } from '../../api/audit/get-security-log.ts';
import { useTriageLog } from '../../api/audit/get-triage-log.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { formatDateTime } from '../../lib/format.ts';

const PAGE_SIZE = 25;

/** Action prefixes the security log filters by (the API matches a prefix). */
const SECURITY_ACTIONS = [
  ['', 'any action'],
  ['login', 'sign-in'],
  ['logout', 'sign-out'],
  ['password.', 'password change'],
  ['setup', 'first-run setup'],
  ['user.', 'users'],
  ['token.', 'API tokens'],
  ['registry.', 'registries'],
  ['advisories.', 'advisory imports'],
  ['access', 'denied requests'],
] as const;
/** Triage actions as the contract defines them, after "any". */
const TRIAGE_ACTIONS = [
  ['', 'any action'] as const,
  ...TriageRequestSchema.shape.action.options.map((a) => [a, a] as const),
];

interface LogFilters {
  actor: string;
  action: string;
  outcome?: string;
  since: string;
}

/** Actor, action, (outcome) and "since" filters above a log; text applies on Enter or Filter. */
function LogFilterForm({
  label,
  actions,
  withOutcome,
  onApply,
}: {
  label: string;
  actions: readonly (readonly [string, string])[];
  withOutcome?: boolean;
  onApply: (filters: LogFilters) => void;
}) {
  const [draft, setDraft] = useState<LogFilters>({ actor: '', action: '', outcome: '', since: '' });
  const ids = { actor: useId(), action: useId(), outcome: useId(), since: useId() };
  const change = (patch: Partial<LogFilters>, apply = false) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (apply) onApply(next);
  };
  return (
    <form
      className="filters"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <div className="filter">
        <label htmlFor={ids.actor}>Who</label>
        <input
          id={ids.actor}
          value={draft.actor}
          placeholder="user name"
          onChange={(e) => change({ actor: e.target.value })}
        />
      </div>
      <div className="filter">
        <label htmlFor={ids.action}>Action</label>
        <select
          id={ids.action}
          value={draft.action}
          onChange={(e) => change({ action: e.target.value }, true)}
        >
          {actions.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </div>
      {withOutcome ? (
        <div className="filter">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select
            id={ids.outcome}
            value={draft.outcome}
            onChange={(e) => change({ outcome: e.target.value }, true)}
          >
            <option value="">any outcome</option>
            {SecurityOutcomeSchema.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="filter">
        <label htmlFor={ids.since}>Since</label>
        <input
          id={ids.since}
          type="date"
          value={draft.since}
          onChange={(e) => change({ since: e.target.value }, true)}
        />
      </div>
      <button type="submit">Filter</button>
    </form>
  );
}

const NO_FILTERS: LogFilters = { actor: '', action: '', outcome: '', since: '' };

/**
 * One audit log's query with its filters and page: `apply` sets new filters (back to page 1),
 * `pager` is the pagination under the table.
 */
function useAuditLog<T extends { total: number }>(
  useLog: (query: AuditLogQuery) => UseQueryResult<T>,
) {
  const [filters, setFilters] = useState(NO_FILTERS);
  const [page, setPage] = useState(1);
  const log = useLog({
    actor: filters.actor.trim(),
    action: filters.action,
    outcome: filters.outcome,
    since: filters.since ? new Date(`${filters.since}T00:00:00`).toISOString() : undefined,
    page,
    pageSize: PAGE_SIZE,
  });
  const total = log.data?.total ?? 0;
  return {
    log,
    apply: (f: LogFilters) => {
      setFilters(f);
      setPage(1);
    },
    pager:
      total > 0 ? (
        <Pagination page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} />
      ) : null,
  };
}

const detailText = (detail: Record<string, unknown> | null) =>
  detail
    ? Object.entries(detail)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.length : JSON.stringify(v)}`)
        .join(', ')
    : '';

/** Security events (auditors and admins), newest first, filterable and paged. */
export function SecurityLog() {
  const { log, apply, pager } = useAuditLog(useSecurityLog);
  return (
    <section aria-label="Security log">
      <h2>Security log</h2>
      <LogFilterForm
        label="Filter the security log"
        actions={SECURITY_ACTIONS}
        withOutcome
        onApply={apply}
      />
      <DataTable
        label="Security log"
        compact
        rows={log.data?.items}
        rowKey={(e) => e.id}
        pending={log.isPending}
        error={log.error}
        onRetry={() => log.refetch()}
        empty={<p className="muted">No event matches these filters.</p>}
        columns={[
          { header: 'When', cell: (e) => formatDateTime(e.at) },
          { header: 'Who', cell: (e) => e.actor },
          { header: 'Action', cell: (e) => e.action },
          {
            header: 'Outcome',
            cell: (e) => <span className={`outcome outcome-${e.outcome}`}>{e.outcome}</span>,
          },
          { header: 'Target', cell: (e) => e.target ?? '—' },
          { header: 'Detail', cell: (e) => detailText(e.detail), className: 'log-detail' },
          { header: 'Address', cell: (e) => e.ip ?? '—' },
        ]}
      />
      {pager}
    </section>
  );
}

/** Every triage decision across findings (auditors and admins), newest first. */
export function TriageLog() {
  const { log, apply, pager } = useAuditLog(useTriageLog);
  return (
    <section aria-label="Triage log">
      <h2>Triage log</h2>
      <LogFilterForm label="Filter the triage log" actions={TRIAGE_ACTIONS} onApply={apply} />
      <DataTable
        label="Triage log"
        compact
        rows={log.data?.items}
        rowKey={(e) => `${e.at}-${e.kind}-${e.targetId}-${e.action}-${e.imageId ?? ''}`}
        pending={log.isPending}
        error={log.error}
        onRetry={() => log.refetch()}
        empty={<p className="muted">No triage decision matches these filters.</p>}
        columns={[
          { header: 'When', cell: (e) => formatDateTime(e.at) },
          { header: 'Who', cell: (e) => e.actor },
          { header: 'Action', cell: (e) => e.action },
          { header: 'Finding', cell: (e) => `${e.kind} ${e.targetId}` },
          {
            header: 'Status',
            cell: (e) => `${e.oldStatus ?? '—'} → ${e.newStatus ?? '—'}`,
          },
          { header: 'Scope', cell: (e) => e.scope ?? '—' },
          { header: 'Reason', cell: (e) => e.reason ?? '—', className: 'log-detail' },
        ]}
      />
      {pager}
    </section>
  );
}
