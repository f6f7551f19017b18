import { useCan } from '../auth/auth.tsx';
import { SecurityLog, TriageLog } from './audit-logs.tsx';
import { TokensSection } from './tokens-section.tsx';
import { UsersSection } from './users-section.tsx';

/** Users (admin), API tokens (one's own; all for admins), the security and triage logs (audit). */
export function AccountsSection() {
  const isAdmin = useCan('admin');
  const canAudit = useCan('audit');
  return (
    <>
      {isAdmin ? <UsersSection /> : null}
      <TokensSection />
      {canAudit ? (
        <>
          <SecurityLog />
          <TriageLog />
        </>
      ) : null}
    </>
  );
}
