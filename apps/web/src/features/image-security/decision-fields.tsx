import {
  type TriageDecision,
  TriageDecisionSchema,
  type VexJustification,
  VexJustificationSchema,
} from '@drydock/contract';
import { type ReactNode, useId, useState } from 'react';

export const DECISION_LABEL: Record<TriageDecision, string> = {
  ignored: 'Ignore',
  not_affected: 'Not affected',
  accepted_risk: 'Accepted risk (must expire)',
  false_positive: 'False positive',
};
export const JUSTIFICATION_LABEL: Record<VexJustification, string> = {
  component_not_present: 'Component not present',
  vulnerable_code_not_present: 'Vulnerable code not present',
  vulnerable_code_not_in_execute_path: 'Vulnerable code not in execute path',
  vulnerable_code_cannot_be_controlled_by_adversary:
    'Vulnerable code cannot be controlled by adversary',
  inline_mitigations_already_exist: 'Inline mitigations already exist',
};

/** The decision an ignore records, and its VEX justification when it is "not affected". */
export function DecisionFields({
  decision,
  justification,
  onDecision,
  onJustification,
}: {
  decision: TriageDecision;
  justification: VexJustification | '';
  onDecision: (d: TriageDecision) => void;
  onJustification: (j: VexJustification | '') => void;
}) {
  const decisionId = useId();
  const justificationId = useId();
  return (
    <>
      <label htmlFor={decisionId}>Decision</label>
      <select
        id={decisionId}
        value={decision}
        onChange={(e) => onDecision(TriageDecisionSchema.parse(e.target.value))}
      >
        {TriageDecisionSchema.options.map((d) => (
          <option key={d} value={d}>
            {DECISION_LABEL[d]}
          </option>
        ))}
      </select>
      {decision === 'not_affected' ? (
        <>
          <label htmlFor={justificationId}>VEX justification (required)</label>
          <select
            id={justificationId}
            value={justification}
            required
            onChange={(e) =>
              onJustification(e.target.value ? VexJustificationSchema.parse(e.target.value) : '')
            }
          >
            <option value="">Choose…</option>
            {VexJustificationSchema.options.map((j) => (
              <option key={j} value={j}>
                {JUSTIFICATION_LABEL[j]}
              </option>
            ))}
          </select>
        </>
      ) : null}
    </>
  );
}

/** The request fields of a decision (nothing for a plain ignore). */
export const decisionRequest = (
  decision: TriageDecision,
  justification: VexJustification | '',
) => ({
  ...(decision !== 'ignored' ? { decision } : {}),
  ...(decision === 'not_affected' && justification ? { justification } : {}),
});

/** Whether the form has what the decision needs (a justification; an expiry for a risk). */
export const decisionComplete = (
  decision: TriageDecision,
  justification: VexJustification | '',
  expires: string,
) =>
  (decision !== 'not_affected' || justification !== '') &&
  (decision !== 'accepted_risk' || expires !== '');

/** The state of an ignore form: decision, justification, reason and expiry date. */
export function useIgnoreForm() {
  const [decision, setDecision] = useState<TriageDecision>('ignored');
  const [justification, setJustification] = useState<VexJustification | ''>('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  return {
    decision,
    setDecision,
    justification,
    setJustification,
    reason,
    setReason,
    expires,
    setExpires,
    /** Everything the form asks for is there. */
    complete: reason.trim() !== '' && decisionComplete(decision, justification, expires),
    /** The ignore request's fields (reason, expiry, decision). */
    request: () => ({
      reason: reason.trim(),
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      ...decisionRequest(decision, justification),
    }),
    reset: () => {
      setDecision('ignored');
      setJustification('');
      setReason('');
      setExpires('');
    },
  };
}
export type IgnoreForm = ReturnType<typeof useIgnoreForm>;

/** Decision, reason and expiry of an ignore; `children` (a scope choice) goes before the expiry. */
export function IgnoreFields({
  form,
  children,
  autoFocus,
}: {
  form: IgnoreForm;
  children?: ReactNode;
  autoFocus?: boolean;
}) {
  const reasonId = useId();
  const expiresId = useId();
  return (
    <>
      <DecisionFields
        decision={form.decision}
        justification={form.justification}
        onDecision={form.setDecision}
        onJustification={form.setJustification}
      />
      <label htmlFor={reasonId}>Reason (required)</label>
      <textarea
        id={reasonId}
        value={form.reason}
        onChange={(e) => form.setReason(e.target.value)}
        required
        {...(autoFocus ? { 'data-autofocus': true } : {})}
      />
      {children}
      <label htmlFor={expiresId}>
        {form.decision === 'accepted_risk' ? 'Expires (required)' : 'Expires (optional)'}
      </label>
      <input
        id={expiresId}
        type="date"
        value={form.expires}
        required={form.decision === 'accepted_risk'}
        onChange={(e) => form.setExpires(e.target.value)}
      />
    </>
  );
}
