import type { ChangeCause, FindingChangeRow, FindingChangeType } from '@drydock/contract';
import { useId } from 'react';
import { Link } from 'react-router';
import { useChanges } from '../../api/findings/get-changes.ts';
import { DataTable } from '../../components/data-table.tsx';
import { ImageLink } from '../../components/image-cells.tsx';
import {
  listQuery,
  SCOPE_FILTER_KEYS,
  ScopeFilters,
  SelectFilter,
} from '../../components/list-filters.tsx';
import { EmptyState } from '../../components/states.tsx';
import { UrlPagination } from '../../components/url-pagination.tsx';
import { paths } from '../../config/paths.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useUrlFilters } from '../../lib/use-url-filters.ts';

const KEYS = [...SCOPE_FILTER_KEYS, 'scanId', 'imageId', 'change', 'cause', 'kind', 'page'];
const CHANGE: Record<FindingChangeType, string> = {
  new: 'New',
  resolved: 'Resolved',
  reintroduced: 'Reintroduced',
};
const CAUSE: Record<ChangeCause, string> = {
  first_scan: 'first scan of the image',
  image_content: 'new image content',
  advisories: 'advisory or scanner update',
  triage_expired: 'triage decision expired',
};

/**
 * What changed: findings and samples that are new, resolved or reintroduced — for one scan, one
 * image, or the fleet since a date — and why (first scan, new image content compared with the
 * previous digest of the same tag, an advisory or scanner update, an expired triage decision).
 */
export function ChangesPage() {
  const { params, get, set } = useUrlFilters();
  const sinceId = useId();
  const since = get('since');
  const query = listQuery(params, KEYS, {
    pageSize: '50',
    ...(since ? { since: new Date(`${since}T00:00:00`).toISOString() } : {}),
  });
  const list = useChanges(query);
  const scanId = get('scanId');
  const imageId = get('imageId');
  const counts = (change: FindingChangeType) =>
    (list.data?.summary ?? []).filter((s) => s.change === change).reduce((n, s) => n + s.count, 0);
  return (
    <section className="page">
      <div className="page-header">
        <h1>What changed</h1>
      </div>
      {scanId || imageId ? (
        <p>
          {scanId ? `For scan ${scanId.slice(0, 8)}` : `For image ${imageId?.slice(0, 8)}`}.{' '}
          <Link to={paths.changes.getHref()}>Whole fleet</Link>
        </p>
      ) : null}
      <form className="filters" aria-label="Filter changes" onSubmit={(e) => e.preventDefault()}>
        <label className="filter" htmlFor={sinceId}>
          <span>Since</span>
          <input
            id={sinceId}
            type="date"
            value={since ?? ''}
            onChange={(e) => set({ since: e.target.value || null })}
          />
        </label>
        <SelectFilter
          name="change"
          label="Change"
          options={[
            ['', 'New, resolved or reintroduced'],
            ['new', 'New'],
            ['resolved', 'Resolved'],
            ['reintroduced', 'Reintroduced'],
          ]}
        />
        <SelectFilter
          name="cause"
          label="Why"
          options={[
            ['', 'Any reason'],
            ...Object.entries(CAUSE).map(([k, v]) => [k, v] as [string, string]),
          ]}
        />
        <SelectFilter
          name="kind"
          label="Finding"
          options={[
            ['', 'Vulnerabilities and samples'],
            ['vulnerability', 'Vulnerabilities'],
            ['sample', 'Malicious samples'],
          ]}
        />
        <ScopeFilters />
      </form>
      {list.data ? (
        <ul className="change-summary" aria-label="Change summary">
          {(['new', 'resolved', 'reintroduced'] as const).map((c) => (
            <li key={c}>
              <strong>{counts(c).toLocaleString('en-US')}</strong> {CHANGE[c].toLowerCase()}
            </li>
          ))}
        </ul>
      ) : null}
      <DataTable
        label="Changes"
        rows={list.data?.items}
        rowKey={(r: FindingChangeRow) =>
          `${r.at}|${r.image.id}|${r.targetId}|${r.path}|${r.change}`
        }
        pending={list.isPending}
        error={list.error}
        onRetry={() => list.refetch()}
        empty={
          <EmptyState title="Nothing changed">
            <p>No finding became new, resolved or reintroduced for this filter.</p>
          </EmptyState>
        }
        columns={[
          { header: 'When', cell: (r) => formatDateTime(r.at) },
          {
            header: 'Change',
            cell: (r) => <span className={`change change-${r.change}`}>{CHANGE[r.change]}</span>,
          },
          { header: 'Why', cell: (r) => CAUSE[r.cause] },
          {
            header: 'Finding',
            cell: (r) => (
              <>
                <div className="vuln-id">
                  {r.kind === 'vulnerability' ? r.targetId : (r.title ?? r.targetId.slice(0, 16))}
                </div>
                {r.kind === 'vulnerability' && r.title ? (
                  <div className="vuln-title">{r.title}</div>
                ) : null}
              </>
            ),
          },
          {
            header: 'Package or file',
            cell: (r) =>
              r.packageName ? `${r.packageName} ${r.installedVersion ?? ''}` : (r.path ?? '—'),
          },
          { header: 'Priority', cell: (r) => r.priority ?? '—' },
          { header: 'Image', cell: (r) => <ImageLink image={r.image} /> },
          {
            header: 'Compared with',
            cell: (r) => (r.previousImage ? <ImageLink image={r.previousImage} /> : '—'),
          },
        ]}
      />
      <UrlPagination data={list.data} />
    </section>
  );
}
