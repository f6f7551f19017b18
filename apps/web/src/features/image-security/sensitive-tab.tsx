import { useSensitiveList } from '../../api/findings/get-sensitive-list.ts';
import { PriorityBadge, StatusBadge } from '../../components/badges.tsx';
import {
  IntroducedByFilter,
  listQuery,
  SCOPE_FILTER_KEYS,
  ScopeFilters,
  StatusFilter,
  TextFilter,
  ToggleFilter,
} from '../../components/list-filters.tsx';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states.tsx';
import { UrlPagination } from '../../components/url-pagination.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useUrlFilters } from '../../lib/use-url-filters.ts';
import { BulkBar, PageCheckbox, RowCheckbox, useSelection } from './bulk-bar.tsx';
import { SensitiveDrawer } from './sensitive-drawer.tsx';
import { kindLabel, SENSITIVE_KINDS } from './sensitive-kinds.ts';
import { PRIORITIES, SortHeader } from './vulnerability-tab.tsx';

const KEYS = [
  'priority',
  'kind',
  ...SCOPE_FILTER_KEYS,
  'status',
  'introducedBy',
  'sort',
  'order',
  'page',
];
const FILTER_KEYS = KEYS.filter((k) => k !== 'sort' && k !== 'order' && k !== 'page');
/** Secrets, risky image configuration and ghost content: one row per secret, check or package. */
export function SensitiveTab() {
  const { params, get, set } = useUrlFilters();
  const query = listQuery(params, KEYS, { pageSize: '25' });
  const list = useSensitiveList(query);
  const open = get('item');
  const filtered = FILTER_KEYS.some((k) => get(k));
  const filterQuery = listQuery(params, FILTER_KEYS);
  const selection = useSelection(filterQuery);
  const pageIds = (list.data?.items ?? []).map((s) => s.id);
  return (
    <>
      <form
        className="filters"
        aria-label="Filter sensitive content"
        onSubmit={(e) => e.preventDefault()}
      >
        <ToggleFilter name="priority" label="Priority" options={PRIORITIES} />
        <ToggleFilter name="kind" label="Kind" options={SENSITIVE_KINDS} />
        <ScopeFilters />
        <TextFilter name="name" label="Name or path" placeholder="AWS, .npmrc, root…" />
        <StatusFilter />
        <IntroducedByFilter />
      </form>
      <BulkBar
        kind="sensitive"
        query={filterQuery}
        status={get('status') || 'open'}
        total={list.data?.total ?? 0}
        selection={selection}
      />
      {list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : null}
      <table className="table" aria-label="Sensitive content" aria-busy={list.isFetching}>
        <thead>
          <tr>
            <th scope="col" className="select">
              <PageCheckbox selection={selection} pageIds={pageIds} />
            </th>
            <SortHeader label="Finding" field="title" />
            <th scope="col">Kind</th>
            <SortHeader label="Priority" field="priority" />
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
              <tr key={s.id}>
                <td className="select">
                  <RowCheckbox selection={selection} id={s.id} label={s.title} />
                </td>
                <td>
                  <div className="vuln-id">{s.title}</div>
                  <div className="mono muted">{s.preview ?? s.category}</div>
                </td>
                <td>{kindLabel(s.kind)}</td>
                <td>
                  <PriorityBadge priority={s.priority} />
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
                    aria-label={`View ${s.title}`}
                    onClick={() => set({ item: s.id }, { keepPage: true })}
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
        <EmptyState title={filtered ? 'Nothing matches these filters' : 'No sensitive content yet'}>
          <p>
            {filtered
              ? 'Try another priority or fewer filters.'
              : 'Every layer of every scanned image is read for secrets (also in files a later layer deleted), the image config for leaked ENV and build arguments, and each image is checked for risky configuration and deleted-but-shipped vulnerable packages.'}
          </p>
        </EmptyState>
      ) : null}
      <UrlPagination data={list.data} />
      {open ? (
        <SensitiveDrawer id={open} onClose={() => set({ item: null }, { keepPage: true })} />
      ) : null}
    </>
  );
}
