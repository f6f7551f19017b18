import type { Severity } from '@drydock/contract';
/** CVSS v3.x base score from a vector string (CVSS:3.0/… or CVSS:3.1/…). */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = Object.fromEntries(
    vector
      .split('/')
      .slice(1)
      .map((p) => p.split(':') as [string, string]),
  );
  const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }[parts.AV as string];
  const AC = { L: 0.77, H: 0.44 }[parts.AC as string];
  const UI = { N: 0.85, R: 0.62 }[parts.UI as string];
  const changed = parts.S === 'C';
  const PR = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[parts.PR as string];
  const cia = (v: string | undefined) => ({ H: 0.56, L: 0.22, N: 0 })[v as string];
  const C = cia(parts.C);
  const I = cia(parts.I);
  const A = cia(parts.A);
  if (
    [AV, AC, UI, PR, C, I, A].some((v) => v === undefined) ||
    !/^CVSS:3\.[01]$/.test(vector.split('/')[0] ?? '')
  ) {
    return undefined;
  }
  const iss = 1 - (1 - (C as number)) * (1 - (I as number)) * (1 - (A as number));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * (AV as number) * (AC as number) * (PR as number) * (UI as number);
  if (impact <= 0) return 0;
  const raw = changed
    ? Math.min(1.08 * (impact + exploitability), 10)
    : Math.min(impact + exploitability, 10);
  const scaled = Math.round(raw * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

export type SeverityLevel = Severity;

export function severityFromScore(score: number): SeverityLevel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

/** Vendor words (GHSA "MODERATE", Red Hat "Important", Debian urgency…) to one scale. */
export function severityFromLabel(label: string | undefined): SeverityLevel | undefined {
  switch (label?.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
    case 'negligible':
    case 'unimportant':
      return 'low';
    default:
      return undefined;
  }
}
