import { Link } from 'react-router';
import { useSample } from '../../api/findings/get-sample.ts';
import { SampleSeverityBadge, StatusBadge } from '../../components/badges.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { Drawer } from '../../components/drawer.tsx';
import { ExternalLinks } from '../../components/external-links.tsx';
import { ErrorState, Skeleton } from '../../components/states.tsx';
import { paths } from '../../config/paths.ts';
import { formatBytes, formatDateTime, shortDigest } from '../../lib/format.ts';
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
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">Path</th>
                  <th scope="col">Layer</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {s.occurrences.map((o) => (
                  <tr key={`${o.image.id}|${o.path}`}>
                    <td>
                      <Link to={paths.image.getHref(o.image.digest)}>
                        {o.image.name || shortDigest(o.image.digest)}
                      </Link>
                    </td>
                    <td className="mono">{o.path}</td>
                    <td>
                      #{o.layerIndex}
                      {o.deletedInLayer !== null ? (
                        <span className="muted">
                          {' '}
                          (deleted in layer #{o.deletedInLayer}, still shipped)
                        </span>
                      ) : null}
                      {o.createdBy ? <div className="mono muted step">{o.createdBy}</div> : null}
                    </td>
                    <td>
                      <StatusBadge status={o.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <TriagePanel kind="sample" id={s.sha256} findings={s.occurrences} history={s.history} />
          <ExternalLinks urls={s.references} />
        </>
      ) : null}
    </Drawer>
  );
}
