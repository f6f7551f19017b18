import type { BulkTriageResult, TriageKind, TriageRequest } from '@drydock/contract';
import { useEffect, useState } from 'react';
import { useBulkTriage } from '../../api/findings/bulk-triage.ts';
import { exportUrl } from '../../api/findings/export-findings.ts';
import { ExportMenu } from '../../components/export-menu.tsx';
import { InlineError } from '../../components/states.tsx';
import { useCan } from '../../lib/session.tsx';
import { IgnoreFields, useIgnoreForm } from './decision-fields.tsx';

/** Rows picked on a list: some ids, or "everything matching this filter". */
export interface Selection {
  ids: Set<string>;
  all: boolean;
  toggle(id: string): void;
  setMany(ids: string[], on: boolean): void;
  selectAll(): void;
  clear(): void;
}

/** Selection state of one list; a new filter (`resetKey`) starts a new selection. */
export function useSelection(resetKey: string): Selection {
  const [ids, setIds] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  useEffect(() => {
    setIds(new Set());
    setAll(false);
  }, [resetKey]);
  return {
    ids,
    all,
    toggle: (id) => {
      setAll(false);
      setIds((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      });
    },
    setMany: (many, on) => {
      setAll(false);
      setIds((prev) => {
        const next = new Set(prev);
        for (const id of many) {
          if (on) next.add(id);
          else next.delete(id);
        }
        return next;
      });
    },
    selectAll: () => setAll(true),
    clear: () => {
      setIds(new Set());
      setAll(false);
    },
  };
}

/** The checkbox of one row. */
export function RowCheckbox({
  selection,
  id,
  label,
}: {
  selection: Selection;
  id: string;
  label: string;
}) {
  return (
    <input
      type="checkbox"
      aria-label={`Select ${label}`}
      checked={selection.all || selection.ids.has(id)}
      onChange={() => selection.toggle(id)}
    />
  );
}

/** The header checkbox: every row of this page. */
export function PageCheckbox({ selection, pageIds }: { selection: Selection; pageIds: string[] }) {
  const checked =
    selection.all || (pageIds.length > 0 && pageIds.every((id) => selection.ids.has(id)));
  return (
    <input
      type="checkbox"
      aria-label="Select every row on this page"
      checked={checked}
      disabled={pageIds.length === 0}
      onChange={() => selection.setMany(pageIds, !checked)}
    />
  );
}

type Action = 'ignore' | 'handle' | 'unignore' | 'reopen';
const VERB: Record<Action, { button: string; past: string; confirm: string }> = {
  ignore: { button: 'Ignore…', past: 'Ignored', confirm: 'Ignore' },
  handle: { button: 'Mark handled…', past: 'Marked handled', confirm: 'Mark handled' },
  unignore: { button: 'Unignore…', past: 'Unignored', confirm: 'Unignore' },
  reopen: { button: 'Reopen…', past: 'Reopened', confirm: 'Reopen' },
};
/** What a list in this status can be moved to. */
const ACTIONS: Record<string, Action[]> = {
  open: ['ignore', 'handle'],
  handled: ['ignore', 'reopen'],
  ignored: ['unignore'],
  resolved: [],
};

const n = (value: number) => value.toLocaleString('en-US');
const plural = (value: number, one: string, many = `${one}s`) =>
  `${n(value)} ${value === 1 ? one : many}`;

/**
 * Bulk triage and export of a findings list: the selected rows or every row matching the
 * filter are ignored (reason, optional expiry), marked handled, unignored or reopened after a
 * confirmation that counts the findings and images the action touches; Export downloads the
 * whole filter (all pages) as CSV or JSON.
 */
export function BulkBar({
  kind,
  query,
  status,
  total,
  selection,
}: {
  kind: TriageKind;
  /** The list's query string (filters, without paging). */
  query: string;
  status: string;
  total: number;
  selection: Selection;
}) {
  const mayTriage = useCan('triage');
  const bulk = useBulkTriage();
  const [action, setAction] = useState<Action | null>(null);
  const [preview, setPreview] = useState<BulkTriageResult | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const form = useIgnoreForm();
  const filter = Object.fromEntries(new URLSearchParams(query));
  const count = selection.all ? total : selection.ids.size;
  /** `3 vulnerabilities`, `1 sample`: the rows of this list. */
  const rows = (n: number) =>
    kind === 'vulnerability'
      ? plural(n, 'vulnerability', 'vulnerabilities')
      : kind === 'sample'
        ? plural(n, 'sample')
        : plural(n, 'item');
  const target = selection.all ? { filter } : { ids: [...selection.ids] };

  const triage = (a: Action): TriageRequest =>
    a === 'ignore'
      ? { action: a, ...form.request(), reason: form.reason.trim() || 'bulk ignore' }
      : { action: a };
  const start = (a: Action) => {
    setAction(a);
    setDone(null);
    setPreview(null);
    bulk.mutate({ kind, ...target, triage: triage(a), dryRun: true }, { onSuccess: setPreview });
  };
  const close = () => {
    setAction(null);
    setPreview(null);
    form.reset();
  };
  const confirm = () => {
    if (!action) return;
    bulk.mutate(
      { kind, ...target, triage: triage(action) },
      {
        onSuccess: (r) => {
          setDone(
            `${VERB[action].past} ${plural(r.findings, 'finding')} in ${plural(r.images, 'image')}.`,
          );
          selection.clear();
          close();
        },
      },
    );
  };

  return (
    <section className="bulk-bar" aria-label="Selection">
      <div className="bulk-row">
        {count > 0 ? (
          <span>
            {selection.all
              ? `All ${rows(total)} matching this filter selected`
              : `${n(count)} selected`}
          </span>
        ) : (
          <span className="muted">Select rows to act on many at once</span>
        )}
        {count > 0 && !selection.all && total > count ? (
          <button type="button" className="link" onClick={selection.selectAll}>
            Select all {n(total)} matching this filter
          </button>
        ) : null}
        {count > 0 ? (
          <button type="button" className="link" onClick={selection.clear}>
            Clear selection
          </button>
        ) : null}
        <span className="spacer" />
        {mayTriage
          ? (ACTIONS[status] ?? []).map((a) => (
              <button key={a} type="button" disabled={count === 0} onClick={() => start(a)}>
                {VERB[a].button}
              </button>
            ))
          : null}
        <ExportMenu href={(format) => exportUrl(kind, filter, format)} />
      </div>
      {done ? (
        <p role="status" className="bulk-done">
          {done}
        </p>
      ) : null}
      {action ? (
        <div
          role="dialog"
          aria-modal="true"
          aria-label="Confirm bulk action"
          className="bulk-dialog"
        >
          <form
            onSubmit={(e) => {
              e.preventDefault();
              confirm();
            }}
          >
            <p>
              {preview
                ? preview.findings === 0
                  ? 'Nothing to change: no finding of the selection is in a state this action applies to.'
                  : `${VERB[action].confirm} ${plural(preview.findings, 'finding')} in ${plural(preview.images, 'image')} (${rows(preview.targets)})?`
                : 'Counting the findings this touches…'}
            </p>
            {action === 'ignore' ? <IgnoreFields form={form} /> : null}
            <div className="actions">
              <button
                type="submit"
                className="primary"
                disabled={
                  !preview ||
                  preview.findings === 0 ||
                  bulk.isPending ||
                  (action === 'ignore' && !form.complete)
                }
              >
                {preview
                  ? `${VERB[action].confirm} ${plural(preview.findings, 'finding')}`
                  : VERB[action].confirm}
              </button>
              <button type="button" onClick={close}>
                Cancel
              </button>
            </div>
            <InlineError error={bulk.error} />
          </form>
        </div>
      ) : null}
    </section>
  );
}
