import { randomUUID } from 'node:crypto';
import type { ScanReport, VulnerabilityFinding } from '@drydock/contract';

/** CycloneDX 1.5 JSON: the image's components and, when matched, their vulnerabilities. */
export function renderCycloneDx(
  report: ScanReport,
  findings: VulnerabilityFinding[] | undefined,
  now = new Date(),
): string {
  const ref = (purl: string, path: string) => `${purl}#${path}`;
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: {
        components: [{ type: 'application', name: 'drydock', version: report.scanner.version }],
      },
      component: {
        type: 'container',
        'bom-ref': report.target.configDigest,
        name: report.target.repoTags[0] ?? report.target.input,
        ...(report.target.manifestDigest ? { version: report.target.manifestDigest } : {}),
      },
      ...(report.os
        ? {
            properties: [{ name: 'drydock:os', value: `${report.os.family} ${report.os.version}` }],
          }
        : {}),
    },
    components: report.packages.map((p) => ({
      type: 'library',
      'bom-ref': ref(p.purl, p.path),
      name: p.name,
      version: p.epoch ? `${p.epoch}:${p.version}` : p.version,
      purl: p.purl,
      ...(p.licenses?.length
        ? { licenses: p.licenses.map((id) => ({ license: { name: id } })) }
        : {}),
      properties: [
        { name: 'drydock:path', value: p.path },
        { name: 'drydock:layerDiffId', value: p.layerDiffId },
        ...(p.sourceName ? [{ name: 'drydock:sourceName', value: p.sourceName }] : []),
      ],
    })),
    ...(findings
      ? {
          vulnerabilities: findings.map((f) => ({
            'bom-ref': `${f.id}|${ref(f.purl, f.path)}`,
            id: f.id,
            source: { name: f.advisoryIds[0], url: f.references[0] },
            ratings: [
              {
                severity: f.severity === 'unknown' ? 'unknown' : f.severity,
                ...(f.cvss
                  ? {
                      score: f.cvss.score,
                      method: f.cvss.version === '3.0' ? 'CVSSv3' : 'CVSSv31',
                      vector: f.cvss.vector,
                    }
                  : {}),
              },
            ],
            description: f.title,
            ...(f.fixCommand ? { recommendation: f.fixCommand } : {}),
            affects: [{ ref: ref(f.purl, f.path) }],
            properties: [
              { name: 'drydock:priority', value: f.priority },
              { name: 'drydock:knownExploited', value: String(f.knownExploited) },
            ],
          })),
        }
      : {}),
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
