import type { SampleSeverity } from '@drydock/contract';
import { useSamples } from '../../api/findings/get-samples.ts';
import { SampleSeverityBadge, StatusBadge } from '../../components/badges.tsx';
import {
  IntroducedByFilter,
  listQuery,
  SCOPE_FILTER_KEYS,
  ScopeFilters,
  StatusFilter,
  TextFilter,
} from '../../components/list-filters.tsx';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states.tsx';
import { UrlPagination } from '../../components/url-pagination.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useUrlFilters } from '../../lib/use-url-filters.ts';
import { BulkBar, PageCheckbox, RowCheckbox, useSelection } from './bulk-bar.tsx';
import { SampleDrawer } from './sample-drawer.tsx';
import { SortHeader } from './vulnerability-tab.tsx';

const KEYS = ['severity', ...SCOPE_FILTER_KEYS, 'status', 'introducedBy', 'sort', 'order', 'page'];
const FILTER_KEYS = KEYS.filter((k) => k !== 'sort' && k !== 'order' && k !== 'page');
const SEVERITIES: SampleSeverity[] = ['urgent', 'warning', 'notice'];

export function SamplesTab() {
  const { params, get, set } = useUrlFilters();
  const query = listQuery(params, KEYS, { pageSize: '25' });
  const list = useSamples(query);
  const open = get('sample');
  const severity = get('severity');
  const filtered = KEYS.some((k) => k !== 'sort' && k !== 'order' && k !== 'page' && get(k));
  const filterQuery = listQuery(params, FILTER_KEYS);
  const selection = useSelection(filterQuery);
  const pageIds = (list.data?.items ?? []).map((s) => s.sha256);
  return (
    <>
      <fieldset className="severity-switch">
        <legend className="sr-only">Severity</legend>
        <button type="button" aria-pressed={!severity} onClick={() => set({ severity: null })}>
          All
        </button>
        {SEVERITIES.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={severity === s}
            className={`sev-${s}`}
            onClick={() => set({ severity: severity === s ? null : s })}
          >
            {s.charAt(0).toUpperCase() + s.slice(1)}
          </button>
        ))}
      </fieldset>
      <form className="filters" aria-label="Filter samples" onSubmit={(e) => e.preventDefault()}>
        <ScopeFilters />
        <TextFilter name="name" label="Sample name" />
        <StatusFilter />
        <IntroducedByFilter />
      </form>
      <BulkBar
        kind="sample"
        query={filterQuery}
        status={get('status') || 'open'}
        total={list.data?.total ?? 0}
        selection={selection}
      />
      {list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : null}
      <table className="table" aria-label="Malicious samples" aria-busy={list.isFetching}>
        <thead>
          <tr>
            <th scope="col" className="select">
              <PageCheckbox selection={selection} pageIds={pageIds} />
            </th>
            <SortHeader label="Sample name" field="name" />
            <th scope="col">Category</th>
            <SortHeader label="Severity" field="severity" />
            <SortHeader label="Affected images" field="images" />
            <th scope="col">First scan</th>
            <SortHeader label="Last scan" field="lastScanAt" />
            <th scope="col">Processing status</th>
            <th scope="col">Operation</th>
          </tr>
        </thead>
        {list.isPending ? (
          <TableSkeleton cols={9} />
        ) : (
          <tbody>
            {(list.data?.items ?? []).map((s) => (
              <tr key={s.sha256}>
                <td className="select">
                  <RowCheckbox selection={selection} id={s.sha256} label={s.name} />
                </td>
                <td>
                  <div className="vuln-id">{s.name}</div>
                  <div className="mono muted">{s.sha256.slice(0, 16)}…</div>
                </td>
                <td>{s.category}</td>
                <td>
                  <SampleSeverityBadge severity={s.severity} />
                </td>
                <td>{s.affectedImages}</td>
                <td>{formatDateTime(s.firstScanAt)}</td>
                <td>{formatDateTime(s.lastScanAt)}</td>
                <td>
                  <StatusBadge status={s.processingStatus} />
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-label={`View ${s.name}`}
                    onClick={() => set({ sample: s.sha256 }, { keepPage: true })}
                  >
                    View
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {list.data && list.data.total === 0 ? (
        <EmptyState
          title={filtered ? 'Nothing matches these filters' : 'No malicious image samples yet'}
        >
          <p>
            {filtered
              ? 'Try another severity or fewer filters.'
              : 'Every layer of every scanned image is checked for miners, webshells, backdoors, rootkits and more. Scan a registry to fill this list.'}
          </p>
        </EmptyState>
      ) : null}
      <UrlPagination data={list.data} />
      {open ? (
        <SampleDrawer sha256={open} onClose={() => set({ sample: null }, { keepPage: true })} />
      ) : null}
    </>
  );
}
