import type { AdvisoryImport } from '@drydock/contract';
import { useAdvisoryImports } from '../../api/advisories/get-advisory-imports.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { formatDateTime } from '../../lib/format.ts';

const counts = (i: AdvisoryImport) =>
  Object.entries(i.ecosystems)
    .map(([eco, c]) => `${eco} +${c.added} ~${c.updated}${c.skipped ? ` !${c.skipped}` : ''}`)
    .join(', ');

/** Every import, queued, running (per-ecosystem counts as they grow), succeeded or failed. */
export function AdvisoryImports() {
  const imports = useAdvisoryImports();
  return (
    <DataTable
      label="Advisory imports"
      compact
      pending={imports.isPending}
      error={imports.error}
      onRetry={() => imports.refetch()}
      rows={imports.data}
      rowKey={(i) => i.id}
      empty={<p className="muted">No import yet.</p>}
      columns={[
        { header: 'Started', cell: (i) => formatDateTime(i.startedAt ?? i.createdAt) },
        {
          header: 'Source',
          cell: (i) => (
            <>
              <span className="mono">{i.source}</span>
              <div className="muted">
                {i.trigger === 'schedule' ? 'scheduled' : `by ${i.requestedBy ?? 'an admin'}`}
              </div>
            </>
          ),
        },
        {
          header: 'State',
          cell: (i) => (
            <>
              <StatusBadge status={i.status} />
              {i.current ? <span className="muted"> reading {i.current}</span> : null}
              {i.error ? <div className="reason">{i.error}</div> : null}
            </>
          ),
        },
        { header: 'Added / updated per ecosystem', cell: (i) => counts(i) || '—' },
        {
          header: 'KEV / CVE records',
          cell: (i) =>
            i.knownExploited === null && i.cveRecords === null
              ? '—'
              : `${i.knownExploited ?? '—'} KEV · ${i.cveRecords ?? '—'} CVE records`,
        },
        {
          header: 'Database after',
          cell: (i) => (i.totals ? `${i.totals.records.toLocaleString('en')} advisories` : '—'),
        },
        { header: 'Finished', cell: (i) => formatDateTime(i.finishedAt) },
      ]}
    />
  );
}
