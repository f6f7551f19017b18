import type { ScanReport, VulnerabilityFinding } from '@drydock/contract';

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;
const SAMPLE_LEVEL = { urgent: 'error', warning: 'warning', notice: 'note' } as const;

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per vulnerability id or malware rule, one
 * result per finding, located at the file inside the image.
 */
export function renderSarif(report: ScanReport, findings: VulnerabilityFinding[]): string {
  const samples = report.maliciousSamples ?? [];
  const vulnRules = new Map<string, VulnerabilityFinding>();
  for (const f of findings) if (!vulnRules.has(f.id)) vulnRules.set(f.id, f);
  const sampleRules = new Map(samples.map((s) => [s.name, s]));
  const rules = [
    ...[...vulnRules.values()].map((f) => ({
      id: f.id,
      name: f.id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: f.title },
      fullDescription: { text: f.description ?? f.title },
      helpUri: f.references[0],
      help: {
        text: `${f.cause}. ${f.fixCommand ? `Fix: ${f.fixCommand}` : 'No fix is available yet.'}`,
      },
      properties: {
        ...(f.cvss ? { 'security-severity': f.cvss.score.toFixed(1) } : {}),
        tags: ['security', 'vulnerability', f.category, f.severity],
        precision: 'very-high',
      },
    })),
    ...[...sampleRules.values()].map((s) => ({
      id: s.name,
      name: s.name,
      shortDescription: { text: `${s.category}: ${s.reason}` },
      ...(s.references[0] ? { helpUri: s.references[0] } : {}),
      properties: { tags: ['security', 'malware', s.category], precision: 'high' },
    })),
  ];
  const location = (uri: string, layerIndex: number, createdBy?: string) => [
    {
      physicalLocation: { artifactLocation: { uri } },
      message: { text: `layer ${layerIndex}${createdBy ? `: ${createdBy}` : ''}` },
    },
  ];
  const results = [
    ...findings.map((f) => ({
      ruleId: f.id,
      level: LEVEL[f.priority],
      message: {
        text: `${f.packageName} ${f.installedVersion}: ${f.id} (${f.severity}, priority ${f.priority}). ${f.cause}.${f.fixCommand ? ` Fix: ${f.fixCommand}` : ''}`,
      },
      locations: location(f.path, f.layerIndex, f.createdBy),
      partialFingerprints: { drydock: `${f.id}|${f.purl}|${f.path}` },
    })),
    ...samples.map((s) => ({
      ruleId: s.name,
      level: SAMPLE_LEVEL[s.severity],
      message: { text: `${s.category} (${s.severity}): ${s.reason}. sha256 ${s.sha256}` },
      locations: location(s.path, s.layerIndex, s.createdBy),
      partialFingerprints: { drydock: `${s.name}|${s.sha256}|${s.path}` },
    })),
  ];
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      { tool: { driver: { name: 'Drydock', version: report.scanner.version, rules } }, results },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
