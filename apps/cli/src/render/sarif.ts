import type { ScanReport, VulnerabilityFinding } from '@drydock/contract';

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;

/** SARIF 2.1.0 for code-scanning dashboards: one rule per vulnerability id, one result per finding. */
export function renderSarif(report: ScanReport, findings: VulnerabilityFinding[]): string {
  const rules = new Map<string, VulnerabilityFinding>();
  for (const f of findings) if (!rules.has(f.id)) rules.set(f.id, f);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Drydock',
            version: report.scanner.version,
            informationUri: 'https://github.com/drydock',
            rules: [...rules.values()].map((f) => ({
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
          },
        },
        results: findings.map((f) => ({
          ruleId: f.id,
          level: LEVEL[f.priority],
          message: {
            text: `${f.packageName} ${f.installedVersion}: ${f.id} (${f.severity}, priority ${f.priority}). ${f.cause}.${f.fixCommand ? ` Fix: ${f.fixCommand}` : ''}`,
          },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: f.path } },
              message: { text: `layer ${f.layerIndex}${f.createdBy ? `: ${f.createdBy}` : ''}` },
            },
          ],
          partialFingerprints: { drydock: `${f.id}|${f.purl}|${f.path}` },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
