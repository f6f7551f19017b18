import type { AccessScope, ApiToken, Role } from '@drydock/contract';
import { useState } from 'react';
import { useRegistries } from '../../api/registries/get-registries.ts';
import { useCreateToken } from '../../api/tokens/create-token.ts';
import { useTokens } from '../../api/tokens/get-tokens.ts';
import { useRevokeToken } from '../../api/tokens/revoke-token.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { TextField } from '../../components/field.tsx';
import { InlineError } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useSession } from '../../lib/session.tsx';
import { describeScope, ScopePicker } from './scope-picker.tsx';
import { RoleSelect } from './users-section.tsx';

/** API tokens for the CLI and CI: one's own (admins see all), shown once at creation. */
export function TokensSection() {
  const session = useSession();
  const registries = useRegistries();
  const tokens = useTokens();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(
    session.user.role === 'admin' ? 'analyst' : session.user.role,
  );
  const [scope, setScope] = useState<AccessScope>({ instanceIds: [], namespaceIds: [] });
  const [expires, setExpires] = useState('');
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const submit = () =>
    create.mutate(
      {
        name,
        role,
        ...scope,
        // End of the chosen day, in the browser's time zone.
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      },
      { onSuccess: () => setName('') },
    );
  const state = (t: ApiToken) => {
    if (t.revokedAt) return `revoked ${formatDateTime(t.revokedAt)}`;
    if (t.expiresAt && new Date(t.expiresAt) < new Date()) return 'expired';
    return (
      <button
        type="button"
        className="link"
        aria-label={`Revoke ${t.name}`}
        onClick={() => revoke.mutate(t.id)}
      >
        Revoke
      </button>
    );
  };
  return (
    <section aria-label="API tokens">
      <h2>API tokens</h2>
      <p className="muted">
        For the CLI and CI: <code>drydock scan image.tar --server URL --token TOKEN</code>.
      </p>
      <DataTable
        label="API tokens"
        compact
        rows={tokens.data}
        rowKey={(t) => t.id}
        pending={tokens.isPending}
        error={tokens.error}
        onRetry={() => tokens.refetch()}
        empty={<p className="muted">No tokens yet.</p>}
        columns={[
          { header: 'Name', cell: (t) => t.name },
          { header: 'Token', cell: (t) => `${t.prefix}…`, className: 'mono' },
          { header: 'Role', cell: (t) => t.role },
          { header: 'Scope', cell: (t) => describeScope(t, registries.data) },
          { header: 'Owner', cell: (t) => t.owner },
          { header: 'Expires', cell: (t) => (t.expiresAt ? formatDateTime(t.expiresAt) : 'never') },
          { header: 'Last used', cell: (t) => formatDateTime(t.lastUsedAt) },
          { header: 'State', cell: state },
        ]}
      />
      <InlineError error={revoke.error} />
      <form
        className="form-card"
        aria-label="Create token"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextField label="Name" value={name} onChange={setName} required />
        <RoleSelect value={role} onChange={setRole} />
        <ScopePicker value={scope} onChange={setScope} />
        <TextField
          label="Expires (optional)"
          type="date"
          value={expires}
          min={new Date().toISOString().slice(0, 10)}
          onChange={setExpires}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
        {create.data ? (
          <p role="status">
            Copy it now, it is not shown again: <code className="mono">{create.data.token}</code>{' '}
            <CopyButton text={create.data.token} label="Copy token" />
          </p>
        ) : null}
        <InlineError error={create.error} />
      </form>
    </section>
  );
}
