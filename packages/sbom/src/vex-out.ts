import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { componentRef, TOOL } from './common.ts';

/**
 * One triage decision to state: a vulnerability in one image (its findings' packages), decided
 * by someone, when, why. `decision` is Drydock's (not_affected, false_positive, accepted_risk,
 * ignored) or `handled`.
 */
export interface VexDecision {
  vulnerability: string;
  aliases: string[];
  image: { name: string; digest: string; purl: string };
  packages: { purl: string; path: string; name: string; version: string }[];
  decision: string;
  justification: string | null;
  reason: string | null;
  decidedBy: string;
  decidedAt: Date;
  expiresAt: Date | null;
}

export type OpenVexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/** How a Drydock decision reads in OpenVEX. */
export function openVexStatement(d: VexDecision) {
  const note = `Decided by ${d.decidedBy} at ${d.decidedAt.toISOString()}${d.reason ? `: ${d.reason}` : ''}`;
  const base = {
    vulnerability: { name: d.vulnerability, ...(d.aliases.length ? { aliases: d.aliases } : {}) },
    products: [
      {
        '@id': d.image.purl,
        ...(d.packages.length
          ? {
              subcomponents: [...new Set(d.packages.map((p) => p.purl))].map((purl) => ({
                '@id': purl,
              })),
            }
          : {}),
      },
    ],
    timestamp: d.decidedAt.toISOString(),
    status_notes: note,
  };
  switch (d.decision) {
    case 'not_affected':
      return {
        ...base,
        status: 'not_affected' as const,
        justification: d.justification ?? 'vulnerable_code_not_in_execute_path',
        impact_statement: d.reason ?? 'Not affected',
      };
    case 'false_positive':
      return {
        ...base,
        status: 'not_affected' as const,
        justification: 'vulnerable_code_not_present',
        impact_statement: `False positive${d.reason ? `: ${d.reason}` : ''}`,
      };
    case 'handled':
      return { ...base, status: 'fixed' as const };
    default:
      // An accepted risk or a plain ignore: affected, with what was decided about it.
      return {
        ...base,
        status: 'affected' as const,
        action_statement:
          d.decision === 'accepted_risk'
            ? `Risk accepted${d.expiresAt ? ` until ${d.expiresAt.toISOString()}` : ''}${d.reason ? `: ${d.reason}` : ''}`
            : `Ignored${d.reason ? `: ${d.reason}` : ''}`,
      };
  }
}

/** An OpenVEX 0.2.0 document of these decisions, authored by `author`. */
export function toOpenVex(decisions: VexDecision[], author: string, now = new Date()) {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://drydock.invalid/vex/${randomUUID()}`,
    author,
    role: 'Document Creator',
    timestamp: now.toISOString(),
    version: 1,
    tooling: TOOL.name,
    statements: decisions.map(openVexStatement),
  };
}

/** OpenVEX justifications → CycloneDX impact analysis justifications. */
const CDX_JUSTIFICATION: Record<string, Enums.Vulnerability.AnalysisJustification> = {
  component_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: Enums.Vulnerability.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary:
    Enums.Vulnerability.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist:
    Enums.Vulnerability.AnalysisJustification.ProtectedByMitigatingControl,
};

/**
 * CycloneDX 1.6 VEX: the images and the packages the decisions are about as components, and one
 * vulnerability per decision with its impact analysis (state, justification, response, detail).
 */
export function toCycloneDxVex(decisions: VexDecision[], now = new Date()): string {
  const bom = new Models.Bom({
    serialNumber: `urn:uuid:${randomUUID()}`,
    metadata: new Models.Metadata({
      timestamp: now,
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, TOOL.name),
        ]),
      }),
    }),
  });
  const components = new Map<string, Models.Component>();
  const component = (
    type: Enums.ComponentType,
    ref: string,
    name: string,
    purl: string,
    version?: string,
  ) => {
    let c = components.get(ref);
    if (!c) {
      c = new Models.Component(type, name, { bomRef: ref, purl, ...(version ? { version } : {}) });
      components.set(ref, c);
      bom.components.add(c);
    }
    return c;
  };
  for (const [i, d] of decisions.entries()) {
    const image = component(
      Enums.ComponentType.Container,
      `image:${d.image.digest}`,
      d.image.name,
      d.image.purl,
      d.image.digest,
    );
    const affected = d.packages.length
      ? d.packages.map((p) =>
          component(
            Enums.ComponentType.Library,
            componentRef(p.purl, p.path),
            p.name,
            p.purl,
            p.version,
          ),
        )
      : [image];
    const state =
      d.decision === 'not_affected'
        ? Enums.Vulnerability.AnalysisState.NotAffected
        : d.decision === 'false_positive'
          ? Enums.Vulnerability.AnalysisState.FalsePositive
          : d.decision === 'handled'
            ? Enums.Vulnerability.AnalysisState.Resolved
            : Enums.Vulnerability.AnalysisState.Exploitable;
    const analysis = new Models.Vulnerability.Analysis({
      state,
      ...(d.decision === 'not_affected' && d.justification && CDX_JUSTIFICATION[d.justification]
        ? { justification: CDX_JUSTIFICATION[d.justification] }
        : {}),
      detail: `Decided by ${d.decidedBy} at ${d.decidedAt.toISOString()}${d.reason ? `: ${d.reason}` : ''}`,
    });
    if (d.decision === 'accepted_risk')
      analysis.response.add(Enums.Vulnerability.AnalysisResponse.WillNotFix);
    const v = new Models.Vulnerability.Vulnerability({
      bomRef: `vex-${i}`,
      id: d.vulnerability,
      analysis,
      properties: new Models.PropertyRepository([
        new Models.Property('drydock:decision', d.decision),
        new Models.Property('drydock:decidedBy', d.decidedBy),
        new Models.Property('drydock:image', d.image.digest),
        ...(d.justification ? [new Models.Property('drydock:justification', d.justification)] : []),
        ...(d.expiresAt
          ? [new Models.Property('drydock:expiresAt', d.expiresAt.toISOString())]
          : []),
      ]),
    });
    for (const c of affected) v.affects.add(new Models.Vulnerability.Affect(c.bomRef));
    bom.vulnerabilities.add(v);
  }
  const serializer = new Serialize.JsonSerializer(
    new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6),
  );
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}
