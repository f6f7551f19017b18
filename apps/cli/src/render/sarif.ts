import type { ScanReport, VulnerabilityFinding } from '@drydock/contract';

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;
const SAMPLE_LEVEL = { urgent: 'error', warning: 'warning', notice: 'note' } as const;

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per vulnerability id, malware rule or
 * sensitive-content rule (`secret/…`, `config/…`, `ghost/…`), one result per finding, located at
 * the file inside the image (or the image config).
 */
export function renderSarif(report: ScanReport, findings: VulnerabilityFinding[]): string {
  const samples = report.maliciousSamples ?? [];
  const sensitive = report.sensitive ?? [];
  const sensitiveRules = new Map(sensitive.map((f) => [`${f.kind}/${f.ruleId}`, f]));
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
    ...[...sensitiveRules].map(([id, f]) => ({
      id,
      name: f.ruleId,
      shortDescription: {
        text: f.kind === 'ghost' ? 'Vulnerable package deleted but still shipped' : f.title,
      },
      help: { text: f.fix },
      ...(f.references[0] ? { helpUri: f.references[0] } : {}),
      properties: {
        tags: ['security', f.kind === 'config' ? 'misconfiguration' : f.kind, f.category],
        precision: f.kind === 'secret' && f.category === 'Generic' ? 'medium' : 'high',
      },
    })),
  ];
  const location = (uri: string, layerIndex?: number, createdBy?: string, line?: number) => [
    {
      physicalLocation: {
        artifactLocation: { uri },
        ...(line ? { region: { startLine: line } } : {}),
      },
      message: {
        text:
          layerIndex === undefined
            ? (createdBy ?? 'image config')
            : `layer ${layerIndex}${createdBy ? `: ${createdBy}` : ''}`,
      },
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
    // Secrets by their masked preview and hash only, never the value.
    ...sensitive.map((f) => ({
      ruleId: `${f.kind}/${f.ruleId}`,
      level: LEVEL[f.priority],
      message: {
        text: `${f.description}${f.preview ? ` Preview: ${f.preview}, sha256 ${f.secretSha256}.` : ''} Fix: ${f.fix}`,
      },
      locations: location(f.location, f.layerIndex, f.createdBy, f.line),
      partialFingerprints: { drydock: `${f.id}|${f.location}|${f.line ?? ''}` },
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
