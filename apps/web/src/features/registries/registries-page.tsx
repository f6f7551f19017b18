import type { Registry } from '@drydock/contract';
import { useId, useState } from 'react';
import { useCreateRegistry } from '../../api/registries/create-registry.ts';
import { useDeleteRegistry } from '../../api/registries/delete-registry.ts';
import { useRegistries } from '../../api/registries/get-registries.ts';
import {
  useDisableRegistryEvents,
  useSetRegistryEventSecret,
} from '../../api/registries/registry-events.ts';
import { useSyncRegistry } from '../../api/registries/sync-registry.ts';
import { useTestConnection } from '../../api/registries/test-connection.ts';
import { useTestRegistry } from '../../api/registries/test-registry.ts';
import { useUpdateRegistry } from '../../api/registries/update-registry.ts';
import { TextField } from '../../components/field.tsx';
import { ScanNowButton } from '../../components/scan-tracker.tsx';
import { ErrorState, InlineError, TableSkeleton } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useCan } from '../../lib/session.tsx';

export function RegistriesPage() {
  const registries = useRegistries();
  const [adding, setAdding] = useState(false);
  const isAdmin = useCan('admin');
  return (
    <section className="page">
      <div className="page-header">
        <h1>Registries</h1>
        {isAdmin ? (
          <button
            type="button"
            className="primary"
            onClick={() => setAdding((v) => !v)}
            aria-expanded={adding}
          >
            Add registry
          </button>
        ) : null}
      </div>
      {adding ? <RegistryForm onDone={() => setAdding(false)} /> : null}
      {registries.error ? (
        <ErrorState error={registries.error} onRetry={() => registries.refetch()} />
      ) : null}
      <table className="table" aria-label="Registries">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Instance ID</th>
            <th scope="col">URL</th>
            <th scope="col">Images</th>
            <th scope="col">Connection</th>
            <th scope="col">Last sync</th>
            <th scope="col">Schedule</th>
            <th scope="col">Operations</th>
          </tr>
        </thead>
        {registries.isPending ? (
          <TableSkeleton cols={8} rows={2} />
        ) : (
          <tbody>
            {(registries.data ?? []).map((r) => (
              <RegistryRow key={r.id} registry={r} />
            ))}
          </tbody>
        )}
      </table>
      {registries.data?.length === 0 && !adding ? (
        <div className="empty-state">
          <h2>No registries yet</h2>
          <p>
            Add a Docker Registry v2 (Harbor, Distribution, GitLab, ECR via token…): Drydock reads
            its catalog and scans every image.
          </p>
        </div>
      ) : null}
    </section>
  );
}

function RegistryRow({ registry: r }: { registry: Registry }) {
  const test = useTestRegistry();
  const sync = useSyncRegistry();
  const remove = useDeleteRegistry();
  const mayScan = useCan('scan');
  const isAdmin = useCan('admin');
  const [editing, setEditing] = useState(false);
  const [events, setEvents] = useState(false);
  const error = test.error ?? sync.error ?? remove.error;
  return (
    <>
      <tr>
        <td>
          <strong>{r.name}</strong>
          {r.hasCredentials ? (
            <div className="muted">as {r.username}</div>
          ) : (
            <div className="muted">anonymous</div>
          )}
        </td>
        <td className="mono">{r.id}</td>
        <td className="mono">{r.url}</td>
        <td>{r.imageCount}</td>
        <td>
          {r.lastCheckOk === null ? (
            <span className="muted">not tested</span>
          ) : r.lastCheckOk ? (
            <span className="status status-succeeded">OK</span>
          ) : (
            <span className="status status-failed" title={r.lastCheckError ?? ''}>
              Failed
            </span>
          )}
          {r.lastCheckError ? <div className="reason">{r.lastCheckError}</div> : null}
        </td>
        <td>
          {formatDateTime(r.lastSyncAt)}
          {r.lastSyncError ? <div className="reason">{r.lastSyncError}</div> : null}
        </td>
        <td>
          {r.scanIntervalMinutes ? `every ${r.scanIntervalMinutes} min` : 'manual'}
          {r.eventsEnabled ? (
            <div className="muted">
              on push
              {r.lastEventAt ? ` (last event ${formatDateTime(r.lastEventAt)})` : ' (no event yet)'}
            </div>
          ) : null}
        </td>
        <td className="ops">
          {mayScan ? (
            <>
              <button type="button" onClick={() => test.mutate(r.id)} disabled={test.isPending}>
                {test.isPending ? 'Testing…' : 'Test'}
              </button>
              <button type="button" onClick={() => sync.mutate(r.id)} disabled={sync.isPending}>
                {sync.isSuccess ? 'Sync queued' : 'Sync'}
              </button>
            </>
          ) : null}
          <ScanNowButton scope={{ kind: 'instance', instanceId: r.id }} />
          {isAdmin ? (
            <button type="button" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
              Edit
            </button>
          ) : null}
          {isAdmin ? (
            <button type="button" onClick={() => setEvents((v) => !v)} aria-expanded={events}>
              Push events
            </button>
          ) : null}
          {isAdmin ? (
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (window.confirm(`Remove ${r.name} and all its images and findings?`))
                  remove.mutate(r.id);
              }}
            >
              Remove
            </button>
          ) : null}
          <InlineError error={error} />
        </td>
      </tr>
      {editing ? (
        <tr>
          <td colSpan={8}>
            <EditRegistryForm registry={r} onDone={() => setEditing(false)} />
          </td>
        </tr>
      ) : null}
      {events ? (
        <tr>
          <td colSpan={8}>
            <PushEventsPanel registry={r} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * Push events: the registry notifies Drydock of every pushed tag, which is scanned within
 * seconds. The secret is shown once, with the registry configuration that sends it.
 */
function PushEventsPanel({ registry: r }: { registry: Registry }) {
  const set = useSetRegistryEventSecret();
  const disable = useDisableRegistryEvents();
  return (
    <section className="panel" aria-label={`Push events of ${r.name}`}>
      <p>
        {r.eventsEnabled
          ? 'Push events are on: every tag pushed to this registry is scanned within seconds.'
          : 'Push events are off. Turn them on to scan every tag as soon as it is pushed (Docker Distribution, GitLab and Harbor notifications).'}
      </p>
      {set.data ? (
        <div>
          <p>
            Notification endpoint <code>{set.data.url}</code>, secret (shown once, keep it in the
            registry configuration):
          </p>
          <pre className="mono" data-testid="event-secret">
            {set.data.secret}
          </pre>
          <p>For a Docker Distribution (registry:2) config.yml:</p>
          <pre className="mono">{set.data.distributionConfig}</pre>
        </div>
      ) : null}
      <button type="button" onClick={() => set.mutate(r.id)} disabled={set.isPending}>
        {r.eventsEnabled ? 'New secret' : 'Turn on'}
      </button>
      {r.eventsEnabled ? (
        <button
          type="button"
          className="danger"
          onClick={() => {
            set.reset();
            disable.mutate(r.id);
          }}
          disabled={disable.isPending}
        >
          Turn off
        </button>
      ) : null}
      <InlineError error={set.error ?? disable.error} />
    </section>
  );
}

function RegistryForm({ onDone }: { onDone: () => void }) {
  const create = useCreateRegistry();
  const test = useTestConnection();
  const sync = useSyncRegistry();
  const check = useTestRegistry();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [interval, setScanInterval] = useState('');
  const credentials = username && password ? { username, password } : undefined;
  const result = test.data;
  return (
    <form
      className="form-card"
      aria-label="Add registry"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          {
            name,
            url,
            ...(credentials ? { credentials } : {}),
            ...(interval ? { scanIntervalMinutes: Number(interval) } : {}),
          },
          {
            onSuccess: (created) => {
              check.mutate(created.id);
              sync.mutate(created.id);
              onDone();
            },
          },
        );
      }}
    >
      <TextField label="Name" value={name} onChange={setName} required data-autofocus />
      <TextField
        label="URL"
        value={url}
        onChange={setUrl}
        placeholder="https://registry.example.com"
        required
      />
      <CredentialFields
        username={username}
        onUsername={setUsername}
        password={password}
        onPassword={setPassword}
        passwordLabel="Password or token"
      />
      <TextField
        label="Scan every (minutes, optional)"
        type="number"
        min={5}
        value={interval}
        onChange={setScanInterval}
      />
      <div className="actions">
        <button
          type="button"
          onClick={() => test.mutate({ url, ...(credentials ? { credentials } : {}) })}
          disabled={!url || test.isPending}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="primary" disabled={create.isPending}>
          Add and sync
        </button>
        <button type="button" className="link" onClick={onDone}>
          Cancel
        </button>
      </div>
      {result ? (
        <p role="status" className={result.ok ? 'ok' : 'inline-error'}>
          {result.ok ? `Connected (${result.auth} authentication)` : result.error}
        </p>
      ) : null}
      <InlineError error={create.error ?? test.error} />
    </form>
  );
}

/** User name and password (or token) of a registry, for the add and edit forms. */
function CredentialFields(props: {
  username: string;
  onUsername: (v: string) => void;
  password: string;
  onPassword: (v: string) => void;
  passwordLabel: string;
}) {
  return (
    <>
      <TextField
        label="User name"
        value={props.username}
        onChange={props.onUsername}
        autoComplete="off"
      />
      <TextField
        label={props.passwordLabel}
        type="password"
        value={props.password}
        onChange={props.onPassword}
        autoComplete="new-password"
      />
    </>
  );
}

/** Whether an edited URL points at another origin (stored credentials do not follow it). */
function hostChanges(before: string, after: string): boolean {
  try {
    return new URL(before).origin !== new URL(after).origin;
  } catch {
    return false;
  }
}

/** Change address, credentials (blank password keeps the stored one) and schedule. */
function EditRegistryForm({ registry, onDone }: { registry: Registry; onDone: () => void }) {
  const update = useUpdateRegistry(registry.id);
  const [url, setUrl] = useState(registry.url);
  const [username, setUsername] = useState(registry.username ?? '');
  const [password, setPassword] = useState('');
  const [dropCredentials, setDropCredentials] = useState(false);
  const [interval, setScanInterval] = useState(registry.scanIntervalMinutes?.toString() ?? '');
  const dropId = useId();
  const body = {
    ...(url !== registry.url ? { url } : {}),
    ...(dropCredentials
      ? { credentials: null }
      : username && password
        ? { credentials: { username, password } }
        : {}),
    ...((interval ? Number(interval) : null) !== registry.scanIntervalMinutes
      ? { scanIntervalMinutes: interval ? Number(interval) : null }
      : {}),
  };
  return (
    <form
      className="form-card"
      aria-label={`Edit ${registry.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(body, { onSuccess: onDone });
      }}
    >
      <TextField label="URL" value={url} onChange={setUrl} required />
      <CredentialFields
        username={username}
        onUsername={setUsername}
        password={password}
        onPassword={setPassword}
        passwordLabel={
          registry.hasCredentials && hostChanges(registry.url, url) && !dropCredentials
            ? 'Password or token (required again: the host changes)'
            : 'New password or token (blank: keep the stored one)'
        }
      />
      <label htmlFor={dropId}>
        <input
          id={dropId}
          type="checkbox"
          checked={dropCredentials}
          onChange={(e) => setDropCredentials(e.target.checked)}
        />{' '}
        Remove the stored credentials (anonymous access)
      </label>
      <TextField
        label="Scan every (minutes, blank: manual)"
        type="number"
        min={5}
        value={interval}
        onChange={setScanInterval}
      />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={update.isPending || Object.keys(body).length === 0}
        >
          Save
        </button>
        <button type="button" className="link" onClick={onDone}>
          Cancel
        </button>
      </div>
      <InlineError error={update.error} />
    </form>
  );
}
