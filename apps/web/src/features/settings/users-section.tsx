import {
  type AccessScope,
  type Role,
  RoleSchema,
  type UpdateUser,
  type User,
} from '@drydock/contract';
import { useId, useState } from 'react';
import { useRegistries } from '../../api/registries/get-registries.ts';
import { useCreateUser } from '../../api/users/create-user.ts';
import { useUsers } from '../../api/users/get-users.ts';
import { useUpdateUser } from '../../api/users/update-user.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Drawer } from '../../components/drawer.tsx';
import { NewPasswordField, TextField } from '../../components/field.tsx';
import { InlineError } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useSession } from '../../lib/session.tsx';
import { describeScope, ScopePicker } from './scope-picker.tsx';

const NO_SCOPE: AccessScope = { instanceIds: [], namespaceIds: [] };

export function RoleSelect({
  value,
  onChange,
  disabled,
}: {
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>Role</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(RoleSchema.parse(e.target.value))}
      >
        {RoleSchema.options.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </>
  );
}

/** Accounts (admins): who has which role and scope; add, edit, reset a password, disable. */
export function UsersSection() {
  const users = useUsers();
  const registries = useRegistries();
  const [editing, setEditing] = useState<User | null>(null);
  return (
    <section aria-label="Users">
      <h2>Users</h2>
      <DataTable
        label="Users"
        compact
        rows={users.data}
        rowKey={(u) => u.id}
        pending={users.isPending}
        error={users.error}
        onRetry={() => users.refetch()}
        columns={[
          { header: 'User', cell: (u) => u.username },
          { header: 'Role', cell: (u) => u.role },
          { header: 'Scope', cell: (u) => describeScope(u, registries.data) },
          { header: 'Last sign-in', cell: (u) => formatDateTime(u.lastLoginAt) },
          { header: 'State', cell: (u) => (u.disabled ? 'disabled' : 'active') },
          {
            header: 'Actions',
            cell: (u) => (
              <button
                type="button"
                className="link"
                aria-label={`Edit ${u.username}`}
                onClick={() => setEditing(u)}
              >
                Edit
              </button>
            ),
          },
        ]}
      />
      <AddUser />
      {editing ? <EditUser user={editing} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

function AddUser() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [scope, setScope] = useState<AccessScope>(NO_SCOPE);
  const create = useCreateUser();
  const submit = () =>
    create.mutate(
      { username, password, role, ...scope },
      {
        onSuccess: () => {
          setUsername('');
          setPassword('');
          setScope(NO_SCOPE);
        },
      },
    );
  return (
    <form
      className="form-card"
      aria-label="Add user"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <TextField label="User name" value={username} onChange={setUsername} required />
      <NewPasswordField
        label="Password (at least 12 characters)"
        value={password}
        onChange={setPassword}
        required
      />
      <RoleSelect value={role} onChange={setRole} />
      <ScopePicker value={scope} onChange={setScope} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Add user
        </button>
      </div>
      <InlineError error={create.error} />
    </form>
  );
}

/** Role, scope, a new password, enable/disable; every change ends the user's sessions. */
function EditUser({ user, onClose }: { user: User; onClose: () => void }) {
  const session = useSession();
  const self = session.user.id === user.id;
  const [role, setRole] = useState<Role>(user.role);
  const [scope, setScope] = useState<AccessScope>({
    instanceIds: user.instanceIds,
    namespaceIds: user.namespaceIds,
  });
  const [password, setPassword] = useState('');
  const update = useUpdateUser(user.id);
  const save = (body: UpdateUser) => update.mutate(body, { onSuccess: onClose });
  return (
    <Drawer title={`User ${user.username}`} onClose={onClose}>
      <form
        className="form-card"
        aria-label="Edit user"
        onSubmit={(e) => {
          e.preventDefault();
          save({ role, ...scope, ...(password ? { password } : {}) });
        }}
      >
        <RoleSelect value={role} onChange={setRole} disabled={self} />
        {self ? <p className="muted">You cannot change your own role.</p> : null}
        <ScopePicker value={scope} onChange={setScope} />
        <NewPasswordField
          label="New password (leave empty to keep it)"
          value={password}
          onChange={setPassword}
        />
        <p className="muted">Saving ends this user's sessions: they sign in again.</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={update.isPending}>
            Save
          </button>
          {self ? null : (
            <button
              type="button"
              disabled={update.isPending}
              onClick={() => save({ disabled: !user.disabled })}
            >
              {user.disabled ? 'Enable account' : 'Disable account'}
            </button>
          )}
        </div>
        <InlineError error={update.error} />
      </form>
    </Drawer>
  );
}
