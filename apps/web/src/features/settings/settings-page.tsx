import { useId, useState } from 'react';
import { useAdvisoryStatus } from '../../api/advisories/get-advisory-status.ts';
import { useImportAdvisories } from '../../api/advisories/import-advisories.ts';
import { ErrorState, InlineError, Skeleton } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useCan } from '../../lib/session.tsx';
import { AccountsSection } from './accounts-section.tsx';
import { AdvisoryImports } from './advisory-imports.tsx';
import { NotificationsSection } from './notifications-section.tsx';

/** Advisory database: what the server holds, and an import from a mirror (path or URL). */
export function SettingsPage() {
  const status = useAdvisoryStatus();
  const [source, setSource] = useState('');
  const id = useId();
  const importJob = useImportAdvisories();
  const s = status.data;
  const isAdmin = useCan('admin');
  return (
    <section className="page">
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <AccountsSection />
      {isAdmin ? <NotificationsSection /> : null}
      <h2>Advisory database</h2>
      {status.error ? <ErrorState error={status.error} onRetry={() => status.refetch()} /> : null}
      {!s ? (
        <Skeleton />
      ) : (
        <dl className="facts">
          <dt>Advisories</dt>
          <dd>{s.advisories}</dd>
          <dt>Known exploited (KEV)</dt>
          <dd>{s.knownExploited}</dd>
          <dt>Last import</dt>
          <dd>{formatDateTime(s.lastImportAt)}</dd>
          <dt>Scheduled refresh</dt>
          <dd>
            {s.refresh
              ? `every ${s.refresh.everyHours} h`
              : 'off (DRYDOCK_ADVISORY_REFRESH=off): import from a mirror below'}
          </dd>
          {s.feeds ? (
            <>
              <dt>Feeds</dt>
              <dd>
                <ul className="plain">
                  <li>
                    OSV: <span className="mono">{s.feeds.source}</span>
                  </li>
                  <li>
                    CISA KEV:{' '}
                    {s.feeds.kev ? <span className="mono">{s.feeds.kev}</span> : 'from the mirror'}
                  </li>
                  <li>
                    CVE records:{' '}
                    {s.feeds.cve ? <span className="mono">{s.feeds.cve}</span> : 'from the mirror'}
                  </li>
                </ul>
                {isAdmin ? (
                  <button
                    type="button"
                    disabled={importJob.isPending}
                    onClick={() => importJob.mutate({})}
                  >
                    Refresh now
                  </button>
                ) : null}
              </dd>
            </>
          ) : null}
          <dt>Ecosystems</dt>
          <dd>
            {s.ecosystems.map((e) => `${e.ecosystem} (${e.packages} packages)`).join(', ') ||
              'none yet'}
          </dd>
        </dl>
      )}
      <AdvisoryImports />
      <form
        hidden={!isAdmin}
        className="form-card"
        aria-label="Import advisories"
        onSubmit={(e) => {
          e.preventDefault();
          importJob.mutate({ source });
        }}
      >
        <label htmlFor={id}>
          Import from an OSV mirror (folder or zip on the server, or a mirror URL)
        </label>
        <input
          id={id}
          value={source}
          onChange={(e) => setSource(e.target.value)}
          placeholder="/srv/mirror/osv"
          required
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={!source || importJob.isPending}>
            Import
          </button>
        </div>
        {importJob.isSuccess ? (
          <p role="status">
            Import queued. Changed advisories re-match every scanned image (see Scans).
          </p>
        ) : null}
        <InlineError error={importJob.error} />
      </form>
    </section>
  );
}
