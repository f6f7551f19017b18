import { Link, useParams } from 'react-router';
import { imagesExportUrl } from '../../api/findings/export-findings.ts';
import { useImage } from '../../api/findings/get-image.ts';
import { useImages } from '../../api/findings/get-images.ts';
import { useSamples } from '../../api/findings/get-samples.ts';
import { useVulnerabilities } from '../../api/findings/get-vulnerabilities.ts';
import { PriorityBadge, SampleSeverityBadge } from '../../components/badges.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { ExportMenu } from '../../components/export-menu.tsx';
import { ImageLink } from '../../components/image-cells.tsx';
import {
  listQuery,
  SCOPE_FILTER_KEYS,
  ScopeFilters,
  TextFilter,
} from '../../components/list-filters.tsx';
import { ScanNowButton } from '../../components/scan-tracker.tsx';
import {
  AdvisoryDbUsedFacts,
  NotCheckedMark,
  ScanWarnings,
} from '../../components/scan-warnings.tsx';
import { EmptyState, ErrorState, Skeleton } from '../../components/states.tsx';
import { UrlPagination } from '../../components/url-pagination.tsx';
import { paths } from '../../config/paths.ts';
import { formatDateTime, shortDigest } from '../../lib/format.ts';
import { useUrlFilters } from '../../lib/use-url-filters.ts';

const KEYS = [...SCOPE_FILTER_KEYS, 'page'];

export function ImagesPage() {
  const { params } = useUrlFilters();
  const query = listQuery(params, KEYS, { pageSize: '25' });
  const list = useImages(query);
  return (
    <section className="page">
      <div className="page-header">
        <h1>Images</h1>
      </div>
      <form className="filters" aria-label="Filter images" onSubmit={(e) => e.preventDefault()}>
        <ScopeFilters />
        <TextFilter name="name" label="Name" />
        <ExportMenu
          href={(format) => imagesExportUrl(Object.fromEntries(new URLSearchParams(query)), format)}
        />
      </form>
      <DataTable
        label="Images"
        rows={list.data?.items}
        rowKey={(i) => i.id}
        pending={list.isPending}
        error={list.error}
        onRetry={() => list.refetch()}
        empty={
          <EmptyState title="No images yet">
            <p>Add a registry and sync it, or upload an image tarball through the API.</p>
          </EmptyState>
        }
        columns={[
          {
            header: 'Image',
            cell: (i) => (
              <>
                <ImageLink image={i} />
                <div className="muted">
                  {[i.namespace, i.repository].filter(Boolean).join('/') || 'uploaded'}
                </div>
                <NotCheckedMark warnings={i.warnings} />
              </>
            ),
          },
          { header: 'Digest', cell: (i) => shortDigest(i.digest), className: 'mono' },
          { header: 'Platform', cell: (i) => i.platform ?? '—' },
          { header: 'System', cell: (i) => <Counts c={i.counts.system} /> },
          { header: 'Application', cell: (i) => <Counts c={i.counts.application} /> },
          { header: 'Malicious', cell: (i) => <SampleCounts c={i.counts.malicious} /> },
          { header: 'Last scan', cell: (i) => formatDateTime(i.lastScanAt) },
          {
            header: 'SBOM',
            // Only scanned images have an inventory to describe.
            cell: (i) =>
              i.lastScanAt ? (
                <ExportMenu
                  label="SBOM"
                  title={`SBOM of ${i.name}`}
                  formats={[
                    { value: 'cyclonedx', label: 'CycloneDX 1.6' },
                    { value: 'spdx', label: 'SPDX 2.3' },
                  ]}
                  href={(format) => `/api/v1/images/${i.id}/sbom?format=${format}`}
                />
              ) : (
                '—'
              ),
          },
        ]}
      />
      <UrlPagination data={list.data} />
    </section>
  );
}

function SampleCounts({ c }: { c: { urgent: number; warning: number; notice: number } }) {
  return (
    <>
      {c.urgent ? <SampleSeverityBadge severity="urgent" count={c.urgent} /> : null}{' '}
      {c.warning ? <SampleSeverityBadge severity="warning" count={c.warning} /> : null}{' '}
      {c.notice ? <SampleSeverityBadge severity="notice" count={c.notice} /> : null}
    </>
  );
}

function Counts({ c }: { c: { high: number; medium: number; low: number } }) {
  if (!c.high && !c.medium && !c.low) return <span className="muted">none</span>;
  return (
    <span className="counts">
      {c.high ? <PriorityBadge priority="high" count={c.high} /> : null}{' '}
      {c.medium ? <PriorityBadge priority="medium" count={c.medium} /> : null}{' '}
      {c.low ? <PriorityBadge priority="low" count={c.low} /> : null}
    </span>
  );
}

/** One image: its summary, Scan Now, and its findings in every tab. */
export function ImagePage() {
  const { digest = '' } = useParams();
  const image = useImage(digest);
  const q = (category: string) =>
    `category=${category}&digest=${encodeURIComponent(digest)}&pageSize=50`;
  const system = useVulnerabilities(q('system'));
  const application = useVulnerabilities(q('application'));
  const samples = useSamples(`digest=${encodeURIComponent(digest)}&pageSize=50`);
  if (image.error)
    return (
      <section className="page">
        <ErrorState error={image.error} onRetry={() => image.refetch()} />
      </section>
    );
  const i = image.data;
  return (
    <section className="page">
      <div className="page-header">
        <h1>{i ? i.name || shortDigest(i.digest) : 'Image'}</h1>
        <span className="actions">
          {i ? <Link to={paths.changes.getHref({ imageId: i.id })}>What changed</Link> : null}
          {i?.instanceId ? (
            <ScanNowButton scope={{ kind: 'images', imageIds: [i.id] }} label="Scan this image" />
          ) : null}
          {i?.repositoryId ? (
            <ScanNowButton
              scope={{ kind: 'repository', repositoryId: i.repositoryId }}
              label="Scan repository"
            />
          ) : null}
        </span>
      </div>
      {!i ? (
        <Skeleton />
      ) : (
        <dl className="facts">
          <dt>Digest</dt>
          <dd className="mono">{i.digest}</dd>
          <dt>Tags</dt>
          <dd>{i.tags.join(', ') || '—'}</dd>
          <dt>Repository</dt>
          <dd>{[i.namespace, i.repository].filter(Boolean).join('/') || 'uploaded'}</dd>
          <dt>Platform</dt>
          <dd>{i.platform ?? '—'}</dd>
          <dt>Last scan</dt>
          <dd>{formatDateTime(i.lastScanAt)}</dd>
          <dt>Matched against</dt>
          <dd>
            <AdvisoryDbUsedFacts used={i.advisoryDb} />
          </dd>
        </dl>
      )}
      {i ? <ScanWarnings warnings={i.warnings} /> : null}
      {[
        { title: 'Image System Vulnerabilities', tab: 'system' as const, list: system },
        {
          title: 'Image Application Vulnerabilities',
          tab: 'application' as const,
          list: application,
        },
      ].map(({ title, tab, list }) => (
        <section key={tab} aria-label={title}>
          <h2>{title}</h2>
          {list.data?.items.length === 0 ? <p className="muted">None open.</p> : null}
          <ul className="finding-list">
            {(list.data?.items ?? []).map((v) => (
              <li key={v.id}>
                <PriorityBadge priority={v.priority} />{' '}
                <Link to={paths.imageSecurity.getHref(tab, { digest, vuln: v.id })}>{v.id}</Link>{' '}
                <span className="muted">{v.title}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <section aria-label="Malicious Image Samples">
        <h2>Malicious Image Samples</h2>
        {samples.data?.items.length === 0 ? <p className="muted">None open.</p> : null}
        <ul className="finding-list">
          {(samples.data?.items ?? []).map((s) => (
            <li key={s.sha256}>
              <SampleSeverityBadge severity={s.severity} />{' '}
              <Link to={paths.imageSecurity.getHref('malicious', { digest, sample: s.sha256 })}>
                {s.name}
              </Link>{' '}
              <span className="muted">{s.category}</span>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
