import type { FixAction } from '@drydock/contract';
import { useState } from 'react';
import { Link } from 'react-router';
import { useFixPlan } from '../../api/findings/get-fix-plan.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { ImageLink } from '../../components/image-cells.tsx';
import { listQuery, SCOPE_FILTER_KEYS, ScopeFilters } from '../../components/list-filters.tsx';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states.tsx';
import { paths } from '../../config/paths.ts';
import { useUrlFilters } from '../../lib/use-url-filters.ts';

const KEYS = [...SCOPE_FILTER_KEYS, 'category'];
const n = (v: number) => v.toLocaleString('en-US');

/**
 * What to fix first: every open finding with a published fix grouped by the one action that
 * removes it (upgrade a package, rebuild from a newer base image), ranked by the images it
 * leaves clean, then the images it touches, High and known-exploited findings cleared.
 */
export function FixPlanPage() {
  const { params, get, set } = useUrlFilters();
  const query = listQuery(params, KEYS, { limit: '100' });
  const plan = useFixPlan(query);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="page">
      <div className="page-header">
        <h1>Fix plan</h1>
      </div>
      <form className="filters" aria-label="Filter fix plan" onSubmit={(e) => e.preventDefault()}>
        <label>
          Category
          <select
            value={get('category') ?? ''}
            onChange={(e) => set({ category: e.target.value || null })}
          >
            <option value="">System and application</option>
            <option value="system">System vulnerabilities</option>
            <option value="application">Application vulnerabilities</option>
          </select>
        </label>
        <ScopeFilters />
      </form>
      {plan.data ? (
        <p className="muted">
          {n(plan.data.fixable)} open findings have a published fix and are grouped below;{' '}
          {n(plan.data.unfixable)} have none yet (no upgrade removes them).
        </p>
      ) : null}
      {plan.data && plan.data.pendingImages > 0 ? (
        <p className="warning-banner" role="status">
          Changes to {n(plan.data.pendingImages)} images are still being counted into this plan
          (within about a minute); refresh to see them.
        </p>
      ) : null}
      {plan.error ? <ErrorState error={plan.error} onRetry={() => plan.refetch()} /> : null}
      <table className="table" aria-label="Fix actions" aria-busy={plan.isFetching}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Action</th>
            <th scope="col">Images cleared</th>
            <th scope="col">Images</th>
            <th scope="col">High findings</th>
            <th scope="col">Known exploited</th>
            <th scope="col">Findings</th>
            <th scope="col">Operation</th>
          </tr>
        </thead>
        {plan.isPending ? (
          <TableSkeleton cols={8} />
        ) : (
          <tbody>
            {(plan.data?.actions ?? []).map((a, i) => (
              <ActionRows
                key={a.key}
                rank={i + 1}
                action={a}
                expanded={open === a.key}
                onToggle={() => setOpen(open === a.key ? null : a.key)}
              />
            ))}
          </tbody>
        )}
      </table>
      {plan.data && plan.data.cleared.length > 0 ? (
        <section aria-label="Cleared in the last 7 days">
          <h2>Cleared in the last 7 days</h2>
          <p className="muted">What scans found gone (rebuilt images, upgrades), by package.</p>
          <ul>
            {plan.data.cleared.map((c) => (
              <li key={`${c.category}|${c.packageName}`}>
                <strong>{c.packageName ?? 'unknown package'}</strong> ({c.category}):{' '}
                {n(c.findings)} findings in {n(c.images)} images, last on{' '}
                {new Date(c.lastAt).toLocaleDateString('en-GB')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {plan.data && plan.data.actions.length === 0 ? (
        <EmptyState title="Nothing to fix with an upgrade">
          <p>No open finding in this scope has a published fix.</p>
        </EmptyState>
      ) : null}
    </section>
  );
}

function ActionRows({
  rank,
  action: a,
  expanded,
  onToggle,
}: {
  rank: number;
  action: FixAction;
  expanded: boolean;
  onToggle: () => void;
}) {
  return (
    <>
      <tr>
        <td>{rank}</td>
        <td>
          <div className="vuln-id">{a.title}</div>
          {a.baseLayer?.createdBy ? (
            <div className="muted mono">{a.baseLayer.createdBy.slice(0, 120)}</div>
          ) : null}
          <div className="tags">
            <span className="tag">{a.category}</span>
            {a.vulnerabilities.length ? (
              <span className="tag">{n(a.vulnerabilities.length)} vulnerabilities</span>
            ) : null}
          </div>
        </td>
        <td>{n(a.imagesCleared)}</td>
        <td>{n(a.images)}</td>
        <td className={a.highFindings ? 'count-high' : undefined}>{n(a.highFindings)}</td>
        <td>{n(a.knownExploited)}</td>
        <td>{n(a.findings)}</td>
        <td>
          <button
            type="button"
            className="link"
            aria-expanded={expanded}
            aria-label={`Details of ${a.title}`}
            onClick={onToggle}
          >
            {expanded ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {expanded ? (
        <tr className="action-details">
          <td colSpan={8}>
            <section aria-label={`${a.title}: what it clears`}>
              {a.fixCommand ? (
                <p>
                  <code>{a.fixCommand}</code> <CopyButton text={a.fixCommand} label="Copy fix" />
                </p>
              ) : null}
              <h3>Vulnerabilities</h3>
              <p className="mono">
                {a.vulnerabilities.slice(0, 50).map((id) => (
                  <Link
                    key={id}
                    className="vuln-link"
                    to={paths.imageSecurity.getHref(a.category, {
                      vuln: id,
                      ...(a.packageName ? { name: a.packageName } : {}),
                    })}
                  >
                    {id}{' '}
                  </Link>
                ))}
                {a.vulnerabilities.length > 50 ? `and ${a.vulnerabilities.length - 50} more` : ''}
              </p>
              <h3>Images</h3>
              {a.sampleImages.length ? (
                <ul>
                  {a.sampleImages.map((i) => (
                    <li key={i.id}>
                      <ImageLink image={i} />
                    </li>
                  ))}
                  {a.images > a.sampleImages.length ? (
                    <li className="muted">and {n(a.images - a.sampleImages.length)} more</li>
                  ) : null}
                </ul>
              ) : (
                <p>
                  <Link
                    to={paths.imageSecurity.getHref(a.category, {
                      ...(a.packageName ? { name: a.packageName } : {}),
                    })}
                  >
                    Show the {n(a.images)} images on Image Security
                  </Link>
                </p>
              )}
            </section>
          </td>
        </tr>
      ) : null}
    </>
  );
}
