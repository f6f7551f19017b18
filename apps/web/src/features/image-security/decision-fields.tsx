import {
  type TriageDecision,
  TriageDecisionSchema,
  type VexJustification,
  VexJustificationSchema,
} from '@drydock/contract';
import { useId } from 'react';

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
