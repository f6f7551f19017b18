import type {
  TriageDecision,
  TriageEvent,
  TriageKind,
  TriageRequest,
  VexJustification,
} from '@drydock/contract';
import { useId, useState } from 'react';
import { useTriageFinding } from '../../api/findings/triage-finding.ts';
import { InlineError } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useCan } from '../../lib/session.tsx';
import {
  DECISION_LABEL,
  IgnoreFields,
  JUSTIFICATION_LABEL,
  useIgnoreForm,
} from './decision-fields.tsx';

/**
 * Triage actions for a vulnerability or sample: ignore (reason required, scope, optional expiry),
 * mark handled, unignore, reopen; then the immutable event history.
 */
export function TriagePanel({
  kind,
  id,
  findings,
  history,
}: {
  kind: TriageKind;
  id: string;
  /** The affected findings: their statuses decide which actions make sense, their images the scopes. */
  findings: {
    status: string;
    image: { id: string; name: string };
    /** Vulnerabilities: brought by the image's base (lineage) or its own layers. */
    introducedBy?: 'base' | 'own';
    baseName?: string | null;
  }[];
  history: TriageEvent[];
}) {
  const statuses = [...new Set(findings.map((f) => f.status))];
  const images = [...new Map(findings.map((f) => [f.image.id, f.image])).values()];
  // Bases that brought it: one choice each (named by the base image, or by an image on it).
  const bases = [
    ...new Map(
      findings
        .filter((f) => f.introducedBy === 'base')
        .map((f) => [
          f.baseName ?? f.image.id,
          { imageId: f.image.id, name: f.baseName, on: f.image.name },
        ]),
    ).values(),
  ];
  const triage = useTriageFinding(kind, id);
  const mayTriage = useCan('triage');
  const [ignoring, setIgnoring] = useState(false);
  const form = useIgnoreForm();
  const [scope, setScope] = useState('');
  const scopeId = useId();
  const has = (s: string) => statuses.includes(s);
  const act = (body: TriageRequest) =>
    triage.mutate(body, {
      onSuccess: () => {
        setIgnoring(false);
        form.reset();
      },
    });
  return (
    <section aria-label="Triage">
      <h3>Handling</h3>
      <div className="actions" hidden={!mayTriage}>
        {has('open') || has('handled') ? (
          <button type="button" onClick={() => setIgnoring((v) => !v)} aria-expanded={ignoring}>
            Ignore…
          </button>
        ) : null}
        {has('open') ? (
          <button
            type="button"
            onClick={() => act({ action: 'handle' })}
            disabled={triage.isPending}
          >
            Mark handled
          </button>
        ) : null}
        {has('ignored') ? (
          <button
            type="button"
            onClick={() => act({ action: 'unignore' })}
            disabled={triage.isPending}
          >
            Unignore
          </button>
        ) : null}
        {has('handled') ? (
          <button
            type="button"
            onClick={() => act({ action: 'reopen' })}
            disabled={triage.isPending}
          >
            Reopen
          </button>
        ) : null}
      </div>
      {ignoring ? (
        <form
          className="ignore-form"
          onSubmit={(e) => {
            e.preventDefault();
            act({
              action: 'ignore',
              ...form.request(),
              ...(scope.startsWith('base:')
                ? { scope: { type: 'base', id: scope.slice(5) } }
                : scope
                  ? { scope: { type: 'image', id: scope } }
                  : {}),
            });
          }}
        >
          <IgnoreFields form={form} autoFocus>
            <label htmlFor={scopeId}>Scope</label>
            <select id={scopeId} value={scope} onChange={(e) => setScope(e.target.value)}>
              <option value="">All images, including future scans</option>
              {bases.map((b) => (
                <option key={`base:${b.imageId}`} value={`base:${b.imageId}`}>
                  Every image built on {b.name ?? `the base of ${b.on}`} (what the base brought)
                </option>
              ))}
              {images.map((i) => (
                <option key={i.id} value={i.id}>
                  Only {i.name}
                </option>
              ))}
            </select>
          </IgnoreFields>
          <button type="submit" className="primary" disabled={!form.complete || triage.isPending}>
            Ignore
          </button>
        </form>
      ) : null}
      <InlineError error={triage.error} />
      <h3>History</h3>
      {history.length === 0 ? (
        <p className="muted">No handling yet.</p>
      ) : (
        <ol className="history" aria-label="Event history">
          {history.map((e, i) => (
            <li key={i}>
              <span className="muted">{formatDateTime(e.at)}</span> <strong>{e.actor}</strong>{' '}
              {e.action}
              {e.oldStatus && e.newStatus ? ` (${e.oldStatus} → ${e.newStatus})` : ''}
              {e.decision && e.decision !== 'ignored' ? (
                <strong>
                  {' '}
                  · {DECISION_LABEL[e.decision as TriageDecision] ?? e.decision}
                  {e.justification
                    ? ` (${JUSTIFICATION_LABEL[e.justification as VexJustification] ?? e.justification})`
                    : ''}
                </strong>
              ) : null}
              {e.scope ? <span className="muted"> · {e.scope}</span> : null}
              {e.reason ? <div className="reason">“{e.reason}”</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
