import type { AdvisoryStatus } from '@drydock/contract';
import { Link } from 'react-router';
import { useAdvisoryStatus } from '../../api/advisories/get-advisory-status.ts';
import { paths } from '../../config/paths.ts';
import { formatDateTime } from '../../lib/format.ts';

/** An advisory database older than this is called stale. */
export const STALE_AFTER_DAYS = 7;

/** What is wrong with the advisory database, if anything: empty, or not refreshed lately. */
export function advisoryProblem(status: AdvisoryStatus, now = Date.now()): string | undefined {
  if (status.advisories === 0) {
    return 'The advisory database is empty: no image has been checked for vulnerabilities, so the vulnerability tabs show nothing even for vulnerable images.';
  }
  const last = status.lastImportAt ? Date.parse(status.lastImportAt) : undefined;
  if (last === undefined || now - last > STALE_AFTER_DAYS * 86_400_000) {
    return `The advisory database was last imported ${status.lastImportAt ? formatDateTime(status.lastImportAt) : 'never'} (more than ${STALE_AFTER_DAYS} days ago): vulnerabilities published since are not shown.`;
  }
  return undefined;
}

/** Over the Image Security tabs when the answers cannot be trusted to be complete. */
export function AdvisoryBanner() {
  const status = useAdvisoryStatus();
  const problem = status.data ? advisoryProblem(status.data) : undefined;
  if (!problem) return null;
  return (
    <div className="warning-banner" role="alert" aria-label="Advisory database">
      {problem} <Link to={paths.settings.getHref()}>Import advisories in Settings</Link>.
    </div>
  );
}
