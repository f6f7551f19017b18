import {
  type AccessScope,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
} from '@drydock/contract';
import { useState } from 'react';
import { useRegistries } from '../../api/registries/get-registries.ts';
import {
  useCreateWebhook,
  useDeleteWebhook,
  useRedeliver,
  useTestWebhook,
  useUpdateWebhook,
} from '../../api/webhooks/change-webhooks.ts';
import { useWebhookDeliveries, useWebhooks } from '../../api/webhooks/get-webhooks.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { TextField } from '../../components/field.tsx';
import { InlineError } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { describeScope, ScopePicker } from './scope-picker.tsx';

const EVENT_LABELS: Record<WebhookEvent, string> = {
  'scan.finished': 'Scan finished',
  'scan.failed': 'Scan failed',
  'finding.new_high': 'New high-priority finding',
  'sample.new_urgent': 'New urgent malicious sample',
  'advisories.imported': 'Advisories imported',
  'kev.added': 'CVE added to CISA KEV',
};

const deliveryState = (d: WebhookDelivery | null) =>
  d ? (
    <>
      <StatusBadge status={d.status === 'retrying' ? 'running' : d.status} />{' '}
      <span className="muted">
        {d.event} · {formatDateTime(d.lastAttemptAt ?? d.createdAt)}
        {d.responseCode ? ` · HTTP ${d.responseCode}` : ''}
      </span>
    </>
  ) : (
    <span className="muted">none yet</span>
  );

/**
 * Settings → Notifications (administrators): webhooks to chat and CI, signed with HMAC-SHA256,
 * with every delivery and its outcome, re-deliverable.
 */
export function NotificationsSection() {
  const hooks = useWebhooks();
  const registries = useRegistries();
  const [open, setOpen] = useState<string | null>(null);
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  return (
    <section aria-label="Notifications">
      <h2>Notifications</h2>
      <p className="muted">
        Webhooks receive a JSON payload (schema version 1) signed with HMAC-SHA256 over{' '}
        <code>timestamp.body</code> (<code>X-Drydock-Timestamp</code>,{' '}
        <code>X-Drydock-Signature: sha256=…</code>), or a Slack-compatible text.
      </p>
      <DataTable
        label="Webhooks"
        compact
        rows={hooks.data}
        rowKey={(h) => h.id}
        pending={hooks.isPending}
        error={hooks.error}
        onRetry={() => hooks.refetch()}
        empty={<p className="muted">No webhooks yet.</p>}
        columns={[
          {
            header: 'Webhook',
            cell: (h) => (
              <>
                <strong>{h.name}</strong>
                <div className="mono muted">{h.url}</div>
              </>
            ),
          },
          {
            header: 'Events',
            cell: (h) => (h.events.length ? h.events.join(', ') : 'all'),
          },
          { header: 'Format', cell: (h) => h.format },
          { header: 'Scope', cell: (h) => describeScope(h.scope, registries.data) },
          { header: 'Last delivery', cell: (h) => deliveryState(h.lastDelivery) },
          {
            header: '',
            className: 'ops',
            cell: (h: Webhook) => (
              <>
                <button
                  type="button"
                  onClick={() => test.mutate(h.id)}
                  disabled={!h.enabled}
                  aria-label={`Send a test to ${h.name}`}
                >
                  Test
                </button>
                <button
                  type="button"
                  aria-expanded={open === h.id}
                  aria-label={`Deliveries of ${h.name}`}
                  onClick={() => setOpen(open === h.id ? null : h.id)}
                >
                  Deliveries
                </button>
                <button
                  type="button"
                  onClick={() => update.mutate({ id: h.id, enabled: !h.enabled })}
                >
                  {h.enabled ? 'Pause' : 'Resume'}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    if (window.confirm(`Delete the webhook ${h.name} and its deliveries?`))
                      remove.mutate(h.id);
                  }}
                >
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      <InlineError error={test.error ?? update.error ?? remove.error} />
      {open ? <Deliveries id={open} /> : null}
      <WebhookForm />
    </section>
  );
}

/** A webhook's deliveries with their outcome; any can be sent again. */
function Deliveries({ id }: { id: string }) {
  const deliveries = useWebhookDeliveries(id);
  const redeliver = useRedeliver();
  return (
    <>
      <DataTable
        label="Deliveries"
        compact
        rows={deliveries.data?.items}
        rowKey={(d) => d.id}
        pending={deliveries.isPending}
        error={deliveries.error}
        onRetry={() => deliveries.refetch()}
        empty={<p className="muted">Nothing sent yet.</p>}
        columns={[
          { header: 'Event', cell: (d) => d.event },
          { header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
          { header: 'Attempts', cell: (d) => d.attempts },
          { header: 'Response', cell: (d) => d.responseCode ?? '—' },
          { header: 'Latency', cell: (d) => (d.latencyMs === null ? '—' : `${d.latencyMs} ms`) },
          { header: 'Error', cell: (d) => d.error ?? '' },
          { header: 'Sent', cell: (d) => formatDateTime(d.lastAttemptAt ?? d.createdAt) },
          {
            header: '',
            cell: (d) => (
              <button
                type="button"
                className="link"
                onClick={() => redeliver.mutate({ id, deliveryId: d.id })}
                aria-label={`Redeliver ${d.event} ${d.id}`}
              >
                Redeliver
              </button>
            ),
          },
        ]}
      />
      <InlineError error={redeliver.error} />
    </>
  );
}

function WebhookForm() {
  const create = useCreateWebhook();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [format, setFormat] = useState<'json' | 'slack'>('json');
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [scope, setScope] = useState<AccessScope>({ instanceIds: [], namespaceIds: [] });
  return (
    <form
      className="form-card"
      aria-label="Add webhook"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { ...(name ? { name } : {}), url, events, format, allowPrivate, scope },
          { onSuccess: () => setUrl('') },
        );
      }}
    >
      <TextField label="Name (optional)" value={name} onChange={setName} />
      <TextField label="URL" type="url" value={url} onChange={setUrl} required />
      <fieldset className="checks">
        <legend>Events {events.length ? '' : '(none ticked: all)'}</legend>
        {WEBHOOK_EVENTS.map((e) => (
          <label key={e} className="check">
            <input
              type="checkbox"
              checked={events.includes(e)}
              onChange={(ev) =>
                setEvents(ev.target.checked ? [...events, e] : events.filter((x) => x !== e))
              }
            />{' '}
            {EVENT_LABELS[e]}
          </label>
        ))}
      </fieldset>
      <label htmlFor="webhook-format">Format</label>
      <select
        id="webhook-format"
        value={format}
        onChange={(e) => setFormat(e.target.value as 'json' | 'slack')}
      >
        <option value="json">JSON (signed payload)</option>
        <option value="slack">Slack-compatible text</option>
      </select>
      <label className="check">
        <input
          type="checkbox"
          checked={allowPrivate}
          onChange={(e) => setAllowPrivate(e.target.checked)}
        />{' '}
        Allow private, loopback and link-local addresses
      </label>
      <ScopePicker value={scope} onChange={setScope} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Add webhook
        </button>
      </div>
      {create.data ? (
        <p role="status">
          Signing secret, shown once: <code className="mono">{create.data.secret}</code>{' '}
          <CopyButton text={create.data.secret} label="Copy secret" />
        </p>
      ) : null}
      <InlineError error={create.error} />
    </form>
  );
}
