import { useSample } from '../../api/findings/get-sample.ts';
import { SampleSeverityBadge, StatusBadge } from '../../components/badges.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Drawer } from '../../components/drawer.tsx';
import { ExternalLinks } from '../../components/external-links.tsx';
import { ImageLink, LayerCell } from '../../components/image-cells.tsx';
import { ErrorState, Skeleton } from '../../components/states.tsx';
import { formatBytes, formatDateTime } from '../../lib/format.ts';
import { TriagePanel } from './triage-panel.tsx';

export function SampleDrawer({ sha256, onClose }: { sha256: string; onClose: () => void }) {
  const detail = useSample(sha256);
  const s = detail.data;
  return (
    <Drawer title={s?.name ?? 'Malicious sample'} onClose={onClose} wide>
      {detail.isPending ? <Skeleton lines={8} /> : null}
      {detail.error ? <ErrorState error={detail.error} onRetry={() => detail.refetch()} /> : null}
      {s ? (
        <>
          <div className="warning-banner" role="note">
            <strong>Warning:</strong> {s.caution}
          </div>
          <dl className="facts">
            <dt>Severity</dt>
            <dd>
              <SampleSeverityBadge severity={s.severity} />
            </dd>
            <dt>Category</dt>
            <dd>{s.category}</dd>
            <dt>Reason</dt>
            <dd>{s.reason}</dd>
            <dt>Matched rules</dt>
            <dd>{s.matchedRules.join(', ') || '—'}</dd>
            <dt>SHA-256</dt>
            <dd className="mono">
              {s.sha256} <CopyButton text={s.sha256} />
            </dd>
            <dt>MD5</dt>
            <dd className="mono">{s.md5}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(s.size)}</dd>
            <dt>First / last scan</dt>
            <dd>
              {formatDateTime(s.firstScanAt)} / {formatDateTime(s.lastScanAt)}
            </dd>
          </dl>
          <section aria-label="Occurrences">
            <h3>Where it is</h3>
            <DataTable
              label="Where it is"
              compact
              pending={false}
              rows={s.occurrences}
              rowKey={(o) => `${o.image.id}|${o.path}`}
              columns={[
                { header: 'Image', cell: (o) => <ImageLink image={o.image} /> },
                { header: 'Path', cell: (o) => o.path, className: 'mono' },
                {
                  header: 'Layer',
                  cell: (o) => (
                    <LayerCell index={o.layerIndex} createdBy={o.createdBy}>
                      {o.deletedInLayer !== null ? (
                        <span className="muted">
                          {' '}
                          (deleted in layer #{o.deletedInLayer}, still shipped)
                        </span>
                      ) : null}
                    </LayerCell>
                  ),
                },
                { header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
              ]}
            />
          </section>
          <TriagePanel kind="sample" id={s.sha256} findings={s.occurrences} history={s.history} />
          <ExternalLinks urls={s.references} />
        </>
      ) : null}
    </Drawer>
  );
}
