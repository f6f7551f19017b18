import { useSensitive } from '../../api/findings/get-sensitive.ts';
import { PriorityBadge, StatusBadge } from '../../components/badges.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { Drawer } from '../../components/drawer.tsx';
import { ExternalLinks } from '../../components/external-links.tsx';
import { ImageLink, LayerCell } from '../../components/image-cells.tsx';
import { ErrorState, Skeleton } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { kindLabel } from './sensitive-kinds.ts';
import { TriagePanel } from './triage-panel.tsx';

/** A secret, configuration check or ghost package: what, how to fix it, where in each image. */
export function SensitiveDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const detail = useSensitive(id);
  const s = detail.data;
  return (
    <Drawer title={s?.title ?? 'Sensitive content'} onClose={onClose} wide>
      {detail.isPending ? <Skeleton lines={8} /> : null}
      {detail.error ? <ErrorState error={detail.error} onRetry={() => detail.refetch()} /> : null}
      {s ? (
        <>
          {s.kind === 'secret' ? (
            <div className="warning-banner" role="note">
              <strong>Caution:</strong> anyone who can pull these images can read this secret, also
              from layers where a later step deleted it. Rotate it, then rebuild.
            </div>
          ) : null}
          <dl className="facts">
            <dt>Priority</dt>
            <dd>
              <PriorityBadge priority={s.priority} />
            </dd>
            <dt>Kind</dt>
            <dd>
              {kindLabel(s.kind)} · {s.category}
            </dd>
            <dt>Rule</dt>
            <dd className="mono">
              {s.ruleId}
              {s.source ? <span className="muted"> ({s.source})</span> : null}
            </dd>
            {s.preview ? (
              <>
                <dt>Preview</dt>
                <dd className="mono">{s.preview}</dd>
              </>
            ) : null}
            {s.secretSha256 ? (
              <>
                <dt>Secret SHA-256</dt>
                <dd className="mono">
                  {s.secretSha256} <CopyButton text={s.secretSha256} />
                </dd>
              </>
            ) : null}
            {s.packagePurl ? (
              <>
                <dt>Package</dt>
                <dd className="mono">{s.packagePurl}</dd>
                <dt>Vulnerabilities</dt>
                <dd>{s.vulnerabilities.join(', ')}</dd>
              </>
            ) : null}
            <dt>Fix</dt>
            <dd>{s.fix}</dd>
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
              rowKey={(o) => `${o.image.id}|${o.location}|${o.line ?? ''}`}
              columns={[
                { header: 'Image', cell: (o) => <ImageLink image={o.image} /> },
                {
                  header: 'Where',
                  cell: (o) => `${o.location}${o.line ? `:${o.line}` : ''}`,
                  className: 'mono',
                },
                {
                  header: 'Layer',
                  cell: (o) =>
                    o.layerIndex === null ? (
                      <span className="muted">image config</span>
                    ) : (
                      <LayerCell index={o.layerIndex} createdBy={o.createdBy}>
                        {o.deletedInLayer !== null ? (
                          <span className="muted">
                            {' '}
                            (deleted in layer #{o.deletedInLayer}
                            {o.deletedBy ? ` by ${o.deletedBy}` : ''}, still shipped)
                          </span>
                        ) : null}
                      </LayerCell>
                    ),
                },
                { header: 'Details', cell: (o) => o.description },
                { header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
              ]}
            />
          </section>
          <TriagePanel kind="sensitive" id={s.id} findings={s.occurrences} history={s.history} />
          <ExternalLinks urls={s.references} />
        </>
      ) : null}
    </Drawer>
  );
}
