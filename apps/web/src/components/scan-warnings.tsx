import { type AdvisoryDbUsed, type ImageWarning, isCoverageWarning } from '@drydock/contract';
import { formatDateTime } from '../lib/format.ts';

/**
 * What the last scan of an image could not look at: coverage gaps first, always shown (they
 * mean "not checked", not "clean"); other warnings (skipped files, unreadable databases) folded.
 */
export function ScanWarnings({ warnings }: { warnings: ImageWarning[] }) {
  const gaps = warnings.filter(isCoverageWarning);
  const others = warnings.filter((w) => !isCoverageWarning(w));
  if (warnings.length === 0) return null;
  return (
    <section aria-label="Not checked" className="caution">
      {gaps.length ? (
        <>
          <h2>Not checked for vulnerabilities</h2>
          <ul>
            {gaps.map((w) => (
              <li key={w.message}>{w.message}</li>
            ))}
          </ul>
        </>
      ) : null}
      {others.length ? (
        <details>
          <summary>
            {others.length} other scan warning{others.length === 1 ? '' : 's'} (files not read)
          </summary>
          <ul>
            {others.map((w, i) => (
              <li key={`${i}:${w.message}`}>
                <span className="mono">{w.code}</span> {w.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** In a list: a short mark that an image was not fully checked, with the reasons on hover. */
export function NotCheckedMark({ warnings }: { warnings: ImageWarning[] }) {
  const gaps = warnings.filter(isCoverageWarning);
  if (gaps.length === 0) return null;
  return (
    <span className="badge not-checked" title={gaps.map((w) => w.message).join('\n')}>
      not fully checked
    </span>
  );
}

const count = (n: number | undefined, word: string) =>
  n === undefined ? null : `${n.toLocaleString('en')} ${word}`;

/**
 * The advisory database a scan was matched against: when it was updated (and from where), what
 * it held, and each source this image's packages were looked up in.
 */
export function AdvisoryDbUsedFacts({ used }: { used: AdvisoryDbUsed | null }) {
  if (!used) return <span className="muted">not matched against advisories yet</span>;
  const held = [
    count(used.records, 'advisories'),
    count(used.knownExploited, 'known exploited'),
    count(used.cveRecords, 'CVE records'),
  ].filter(Boolean);
  return (
    <span className="advisory-db-used">
      the database of {formatDateTime(used.updatedAt)}
      {used.sources.length ? <span className="muted"> from {used.sources.join(', ')}</span> : null}
      {held.length ? <div>{held.join(' · ')}</div> : null}
      {used.checked?.length ? (
        <ul className="plain">
          {used.checked.map((c) => (
            <li key={c.label}>
              {c.label}: {c.packages} package{c.packages === 1 ? '' : 's'} looked up in{' '}
              <span className="mono">{c.ecosystems.join(', ')}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </span>
  );
}
