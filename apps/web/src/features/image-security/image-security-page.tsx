import {
  type Category,
  IMAGE_SECURITY_TABS,
  type ImageSecurityTab,
  ImageSecurityTabSchema,
  type Summary,
} from '@drydock/contract';
import { Navigate, NavLink, useParams } from 'react-router';
import { useSummary } from '../../api/findings/get-summary.ts';
import { useTrend } from '../../api/findings/get-trend.ts';
import { useImportVex } from '../../api/sbom/import-documents.ts';
import { PriorityBadge, SampleSeverityBadge } from '../../components/badges.tsx';
import { ImportDocumentButton } from '../../components/import-document.tsx';
import { ScanNowButton } from '../../components/scan-tracker.tsx';
import { ErrorState } from '../../components/states.tsx';
import { TrendChart } from '../../components/trend-chart.tsx';
import { paths } from '../../config/paths.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useCan } from '../../lib/session.tsx';
import { AdvisoryBanner } from './advisory-banner.tsx';
import { SamplesTab } from './samples-tab.tsx';
import { SensitiveTab } from './sensitive-tab.tsx';
import { VulnerabilityTab } from './vulnerability-tab.tsx';

export function ImageSecurityPage() {
  const params = useParams();
  const tab = ImageSecurityTabSchema.safeParse(params.tab);
  if (!tab.success) return <Navigate to={paths.imageSecurity.getHref('system')} replace />;
  return (
    <section className="page">
      <div className="page-header">
        <h1>Image Security</h1>
        <ImportVexButton />
        <ScanNowButton scope={{ kind: 'all' }} />
      </div>
      <AdvisoryBanner />
      <SummaryHeader />
      <div role="tablist" aria-label="Image security findings" className="tabs">
        {IMAGE_SECURITY_TABS.map((t) => (
          <NavLink
            key={t.id}
            to={paths.imageSecurity.getHref(t.id)}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === tab.data}
            aria-controls={`panel-${t.id}`}
            className={({ isActive }) => (isActive ? 'tab tab-active' : 'tab')}
          >
            {t.label}
            <TabCount tab={t.id} />
          </NavLink>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`panel-${tab.data}`}
        aria-labelledby={`tab-${tab.data}`}
        className="panel"
      >
        {tab.data === 'sensitive' ? (
          <SensitiveTab key="sensitive" />
        ) : tab.data === 'malicious' ? (
          <SamplesTab key="malicious" />
        ) : (
          <VulnerabilityTab key={tab.data} category={tab.data} />
        )}
      </div>
    </section>
  );
}

function TabCount({ tab }: { tab: ImageSecurityTab }) {
  const summary = useSummary();
  if (!summary.data) return null;
  const total = summary.data[tab].total;
  return <span className="tab-count"> {total}</span>;
}

function SummaryHeader() {
  const summary = useSummary();
  const trend = useTrend(30);
  if (summary.error) return <ErrorState error={summary.error} onRetry={() => summary.refetch()} />;
  const s: Summary | undefined = summary.data;
  return (
    <section className="summary" aria-label="Summary" aria-busy={summary.isPending}>
      <SummaryCard label="System vulnerabilities" tab="system" summary={s} />
      <SummaryCard label="Application vulnerabilities" tab="application" summary={s} />
      <SummaryCard label="Sensitive content" tab="sensitive" summary={s} />
      <div className="card">
        <div className="card-label">Malicious samples</div>
        <div className="card-counts">
          <SampleSeverityBadge severity="urgent" count={s?.malicious.urgent ?? 0} />
          <SampleSeverityBadge severity="warning" count={s?.malicious.warning ?? 0} />
          <SampleSeverityBadge severity="notice" count={s?.malicious.notice ?? 0} />
        </div>
      </div>
      <div className="card">
        <div className="card-label">Images</div>
        <div className="card-big">{s?.images ?? '…'}</div>
        <div className="muted">Last scan {formatDateTime(s?.lastScanAt)}</div>
      </div>
      <div className="card card-trend">
        <div className="card-label">Vulnerable packages in images, 30 days</div>
        {trend.data ? <TrendChart days={trend.data.days} /> : <span className="skeleton" />}
      </div>
    </section>
  );
}

function SummaryCard({
  label,
  tab,
  summary,
}: {
  label: string;
  tab: Category | 'sensitive';
  summary?: Summary;
}) {
  const t = summary?.[tab];
  return (
    <div className="card">
      <div className="card-label">{label}</div>
      <div className="card-counts">
        <PriorityBadge priority="high" count={t?.high ?? 0} />
        <PriorityBadge priority="medium" count={t?.medium ?? 0} />
        <PriorityBadge priority="low" count={t?.low ?? 0} />
      </div>
    </div>
  );
}

/** A VEX document (OpenVEX, CycloneDX VEX, CSAF VEX) applied as triage decisions. */
function ImportVexButton() {
  const importVex = useImportVex();
  const canTriage = useCan('triage');
  if (!canTriage) return null;
  return (
    <ImportDocumentButton
      label="Import VEX"
      mutation={importVex}
      describe={(r) =>
        `${r.statements} statements: ${r.applied} applied (${r.findingsChanged} findings), ${r.recorded} recorded, ${r.unmatched.length} about nothing here${r.conflicts.length ? `, ${r.conflicts.length} in conflict and not applied (${r.conflicts.map((c) => `${c.vulnerability}: ${c.statuses.join(' vs ')}`).join('; ')})` : ''}`
      }
    />
  );
}
