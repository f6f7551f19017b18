import { Link, useParams } from 'react-router';
import { useImportSbom } from '../../api/sbom/import-documents.ts';
import { useScan } from '../../api/scans/get-scan.ts';
import { useScans } from '../../api/scans/get-scans.ts';
import { isActive } from '../../api/scans/is-active.ts';
import { useRetryScan } from '../../api/scans/retry-scan.ts';
import { useUploadScan } from '../../api/scans/upload-scan.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FileButton, ImportDocumentButton } from '../../components/import-document.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { useScanTracker } from '../../components/scan-tracker.tsx';
import { EmptyState, ErrorState, InlineError, Skeleton } from '../../components/states.tsx';
import { paths } from '../../config/paths.ts';
import { formatBytes, formatDateTime } from '../../lib/format.ts';
import { useCan, useSession } from '../../lib/session.tsx';
import { useUrlFilters } from '../../lib/use-url-filters.ts';

const scopeText = (scope: Record<string, unknown>) => {
  switch (scope.kind) {
    case 'all':
      return 'all images';
    case 'instance':
      return `registry ${String(scope.instanceId).slice(0, 8)}`;
    case 'repository':
      return `repository ${String(scope.repositoryId).slice(0, 8)}`;
    case 'images':
      return `${(scope.imageIds as string[]).length} image(s)`;
    case 'upload':
      return `upload ${String(scope.name)}`;
    default:
      return String(scope.kind);
  }
};

export function ScansPage() {
  const { get, set } = useUrlFilters();
  const page = Number(get('page') || 1);
  const scans = useScans(page);
  return (
    <section className="page">
      <div className="page-header">
        <h1>Scans</h1>
        <UploadButton />
        <ImportSbomButton />
      </div>
      <DataTable
        label="Scan history"
        rows={scans.data?.items}
        rowKey={(s) => s.id}
        pending={scans.isPending}
        error={scans.error}
        onRetry={() => scans.refetch()}
        empty={
          <EmptyState title="No scans yet">
            <p>Scan Now on the Image Security or Registries page starts one.</p>
          </EmptyState>
        }
        columns={[
          {
            header: 'Started',
            cell: (s) => <Link to={paths.scan.getHref(s.id)}>{formatDateTime(s.createdAt)}</Link>,
          },
          { header: 'Scope', cell: (s) => scopeText(s.scope) },
          { header: 'Trigger', cell: (s) => s.trigger },
          { header: 'By', cell: (s) => s.requestedBy ?? '—' },
          { header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
          {
            header: 'Images',
            cell: (s) =>
              `${s.counts.succeeded} done, ${s.counts.failed} failed of ${s.counts.total}`,
          },
          { header: 'Progress', cell: (s) => `${Math.round(s.progress)}%` },
        ]}
      />
      {scans.data && scans.data.total > 0 ? (
        <Pagination
          page={page}
          pageSize={20}
          total={scans.data.total}
          onPage={(p) => set({ page: String(p) })}
        />
      ) : null}
    </section>
  );
}

export function ScanPage() {
  const { id = '' } = useParams();
  const scan = useScan(id);
  const retry = useRetryScan();
  const s = scan.data;
  return (
    <section className="page">
      <div className="page-header">
        <h1>Scan {id.slice(0, 8)}</h1>
        <Link to={paths.changes.getHref({ scanId: id })}>What changed</Link>
        {s && s.counts.failed > 0 && !isActive(s.status) ? (
          <button type="button" onClick={() => retry.mutate(id)} disabled={retry.isPending}>
            Retry {s.counts.failed} failed
          </button>
        ) : null}
      </div>
      {scan.error ? <ErrorState error={scan.error} onRetry={() => scan.refetch()} /> : null}
      {!s ? (
        <Skeleton />
      ) : (
        <>
          <p>
            <StatusBadge status={s.status} /> {scopeText(s.scope)} · {s.trigger} ·{' '}
            {formatDateTime(s.createdAt)} · {Math.round(s.progress)}%
          </p>
          <DataTable
            label="Images of this scan"
            pending={false}
            rows={s.items}
            rowKey={(i) => i.id}
            columns={[
              {
                header: 'Image',
                cell: (i) => (
                  <>
                    {i.target}
                    {i.reason ? <div className="reason">{i.reason}</div> : null}
                  </>
                ),
              },
              { header: 'Status', cell: (i) => <StatusBadge status={i.status} /> },
              {
                header: 'Progress',
                cell: (i) =>
                  `${i.progress?.phase ?? '—'}${i.progress?.layers ? ` ${i.progress.layer}/${i.progress.layers}` : ''}`,
              },
              {
                header: 'Pulled',
                cell: (i) => (i.cacheHit ? 'cached analysis' : formatBytes(i.bytesPulled)),
              },
              {
                header: 'Result',
                cell: (i) =>
                  i.result
                    ? `${i.result.findings.opened} new, ${i.result.findings.stillOpen} still, ${i.result.findings.resolved} resolved; samples ${i.result.samples.opened + i.result.samples.stillOpen}`
                    : '—',
              },
              { header: 'Attempts', cell: (i) => i.attempts },
              { header: 'Worker', cell: (i) => i.worker ?? '—', className: 'mono muted' },
            ]}
          />
        </>
      )}
    </section>
  );
}

/** An SBOM made by any tool (CycloneDX or SPDX JSON), read and matched like a scanned image. */
function ImportSbomButton() {
  const importSbom = useImportSbom();
  const canScan = useCan('scan');
  const { user } = useSession();
  if (!canScan || user.instanceIds.length + user.namespaceIds.length > 0) return null;
  return (
    <ImportDocumentButton
      label="Import SBOM"
      mutation={importSbom}
      describe={(r) =>
        `Read ${r.packages} packages (${r.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'}${r.tool ? ` by ${r.tool}` : ''}): ${r.findings.opened} new findings${r.warnings.length ? `; ${r.warnings.map((w) => w.message).join('; ')}` : ''}`
      }
    />
  );
}

/**
 * Scans an image tarball from this computer (`docker save` or an OCI archive, gzipped or not):
 * it is uploaded, queued like any image, and followed in the progress dock.
 */
function UploadButton() {
  const upload = useUploadScan();
  const { track } = useScanTracker();
  const canScan = useCan('scan');
  const { user } = useSession();
  // Uploaded images belong to no registry: scoped accounts cannot upload (the API says 403).
  const scoped = user.instanceIds.length + user.namespaceIds.length > 0;
  if (!canScan || scoped) return null;
  return (
    <div className="upload">
      <FileButton
        label={upload.isPending ? 'Uploading…' : 'Upload image tarball'}
        accept=".tar,.tar.gz,.tgz,application/x-tar,application/gzip"
        disabled={upload.isPending}
        onFile={(file) => upload.mutate(file, { onSuccess: (created) => track(created.id) })}
      />
      <InlineError error={upload.error} inline />
    </div>
  );
}
