import { useCan } from '../../lib/session.tsx';
import { SecurityLog, TriageLog } from './audit-logs.tsx';
import { TokensSection } from './tokens-section.tsx';
import { UsersSection } from './users-section.tsx';

/**
 * Users (unscoped admins), API tokens (one's own; all for unscoped admins), the security log
 * (unscoped admins and auditors) and the triage log (audit, within one's scope).
 */
export function AccountsSection() {
  const isAdmin = useCan('admin');
  const canAudit = useCan('audit');
  const canReadSecurityLog = useCan('security');
  return (
    <>
      {isAdmin ? <UsersSection /> : null}
      <TokensSection />
      {canAudit ? (
        <>
          {canReadSecurityLog ? <SecurityLog /> : null}
          <TriageLog />
        </>
      ) : null}
    </>
  );
}
