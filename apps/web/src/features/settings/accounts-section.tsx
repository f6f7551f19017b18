import {
  ApiTokenCreatedSchema,
  ApiTokenSchema,
  type Role,
  RoleSchema,
  SecurityEventSchema,
  UserSchema,
} from '@drydock/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { z } from 'zod';
import { InlineError } from '../../components/states.tsx';
import { request, send } from '../../lib/api-client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useCan, useSession } from '../auth/auth.tsx';
import { useRegistries } from '../registries/api.ts';

/** Users (admin), API tokens (one's own; all for admins) and the security log (admin, auditor). */
export function AccountsSection() {
  const isAdmin = useCan('admin');
  const canAudit = useCan('audit');
  return (
    <>
      {isAdmin ? <Users /> : null}
      <Tokens />
      {canAudit ? <SecurityLog /> : null}
    </>
  );
}

function Users() {
  const client = useQueryClient();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: async () =>
      (await request(z.object({ items: z.array(UserSchema) }), '/api/v1/users')).items,
  });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [instanceIds, setInstanceIds] = useState<string[]>([]);
  const ids = { u: useId(), p: useId() };
  const create = useMutation({
    mutationFn: () =>
      send(UserSchema, '/api/v1/users', 'POST', { username, password, role, instanceIds }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const disable = useMutation({
    mutationFn: (u: { id: string; disabled: boolean }) =>
      send(UserSchema, `/api/v1/users/${u.id}`, 'PATCH', { disabled: u.disabled }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <section aria-label="Users">
      <h2>Users</h2>
      <table className="table compact" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Scope</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.role}</td>
              <td>
                {u.instanceIds.length + u.namespaceIds.length
                  ? `${u.instanceIds.length} instance(s), ${u.namespaceIds.length} namespace(s)`
                  : 'all images'}
              </td>
              <td>{formatDateTime(u.lastLoginAt)}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => disable.mutate({ id: u.id, disabled: !u.disabled })}
                >
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="form-card"
        aria-label="Add user"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label htmlFor={ids.u}>User name</label>
        <input id={ids.u} value={username} onChange={(e) => setUsername(e.target.value)} required />
        <label htmlFor={ids.p}>Password (at least 12 characters)</label>
        <input
          id={ids.p}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          minLength={12}
          required
          autoComplete="new-password"
        />
        <RoleSelect value={role} onChange={setRole} />
        <InstanceScope value={instanceIds} onChange={setInstanceIds} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Add user
          </button>
        </div>
        <InlineError error={create.error} />
      </form>
    </section>
  );
}

function Tokens() {
  const client = useQueryClient();
  const session = useSession();
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: async () =>
      (await request(z.object({ items: z.array(ApiTokenSchema) }), '/api/v1/tokens')).items,
  });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(
    session.user.role === 'admin' ? 'analyst' : session.user.role,
  );
  const [instanceIds, setInstanceIds] = useState<string[]>([]);
  const ids = { n: useId() };
  const create = useMutation({
    mutationFn: () =>
      send(ApiTokenCreatedSchema, '/api/v1/tokens', 'POST', { name, role, instanceIds }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => send(undefined, `/api/v1/tokens/${id}`, 'DELETE'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  return (
    <section aria-label="API tokens">
      <h2>API tokens</h2>
      <p className="muted">
        For the CLI and CI: <code>drydock scan image.tar --server URL --token TOKEN</code>.
      </p>
      <table className="table compact" aria-label="API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Token</th>
            <th scope="col">Role</th>
            <th scope="col">Owner</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td className="mono">{t.prefix}…</td>
              <td>{t.role}</td>
              <td>{t.owner}</td>
              <td>{formatDateTime(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${formatDateTime(t.revokedAt)}`
                ) : (
                  <button type="button" className="link" onClick={() => revoke.mutate(t.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="form-card"
        aria-label="Create token"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label htmlFor={ids.n}>Name</label>
        <input id={ids.n} value={name} onChange={(e) => setName(e.target.value)} required />
        <RoleSelect value={role} onChange={setRole} />
        <InstanceScope value={instanceIds} onChange={setInstanceIds} />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
        {create.data ? (
          <p role="status">
            Copy it now, it is not shown again: <code className="mono">{create.data.token}</code>
          </p>
        ) : null}
        <InlineError error={create.error} />
      </form>
    </section>
  );
}

function SecurityLog() {
  const log = useQuery({
    queryKey: ['security-log'],
    queryFn: () =>
      request(
        z.object({
          items: z.array(SecurityEventSchema),
          total: z.number(),
          page: z.number(),
          pageSize: z.number(),
        }),
        '/api/v1/audit/security?pageSize=50',
      ),
  });
  return (
    <section aria-label="Security log">
      <h2>Security log</h2>
      <table className="table compact" aria-label="Security log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Target</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((e) => (
            <tr key={e.id}>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.outcome}</td>
              <td>{e.target ?? '—'}</td>
              <td>{e.ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RoleSelect({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>Role</label>
      <select id={id} value={value} onChange={(e) => onChange(RoleSchema.parse(e.target.value))}>
        {RoleSchema.options.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </>
  );
}

/** Limits an account to some registry instances; none ticked = every image. */
function InstanceScope({
  value,
  onChange,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  const registries = useRegistries();
  if (!registries.data?.length) return null;
  return (
    <fieldset className="scope-picker">
      <legend>Scope (none ticked: every image)</legend>
      {registries.data.map((r) => (
        <label key={r.id}>
          <input
            type="checkbox"
            checked={value.includes(r.id)}
            onChange={(e) =>
              onChange(e.target.checked ? [...value, r.id] : value.filter((id) => id !== r.id))
            }
          />{' '}
          {r.name}
        </label>
      ))}
    </fieldset>
  );
}
