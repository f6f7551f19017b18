import type { Priority, Severity } from '@drydock/contract';

/**
 * Drydock's priority policy (docs/priority-policy.md):
 * - High: known exploited (CISA KEV), or critical severity, or high severity with a fix available.
 * - Medium: high severity without a fix, or medium severity with a fix available.
 * - Low: medium severity without a fix, low or unknown severity.
 */
export function prioritize(input: {
  severity: Severity;
  knownExploited: boolean;
  fixAvailable: boolean;
  cvssScore?: number;
}): { priority: Priority; reason: string } {
  const { severity, knownExploited, fixAvailable } = input;
  const sev =
    severity === 'unknown'
      ? 'no severity published'
      : `severity ${severity}${input.cvssScore !== undefined ? ` (CVSS ${input.cvssScore.toFixed(1)})` : ''}`;
  const fix = fixAvailable ? 'a fix is available' : 'no fix is available yet';
  if (knownExploited)
    return {
      priority: 'high',
      reason: `High: known exploited in the wild (CISA KEV); ${sev}, ${fix}`,
    };
  if (severity === 'critical') return { priority: 'high', reason: `High: ${sev}; ${fix}` };
  if (severity === 'high') {
    return fixAvailable
      ? { priority: 'high', reason: `High: ${sev} and ${fix}` }
      : { priority: 'medium', reason: `Medium: ${sev}, but ${fix}` };
  }
  if (severity === 'medium') {
    return fixAvailable
      ? { priority: 'medium', reason: `Medium: ${sev} and ${fix}` }
      : { priority: 'low', reason: `Low: ${sev} and ${fix}` };
  }
  return { priority: 'low', reason: `Low: ${sev}; ${fix}` };
}
