// Seeds findings through the real pipeline: scanner → advisory matcher → malware scan →
// persistScan. Used by `pnpm db:seed` and by the API's integration tests.
import { type AdvisoryStore, matchInventory } from '../packages/advisories/src/index.ts';
import type { ScanReport } from '../packages/contract/src/index.ts';
import {
  type ImageLocation,
  type PersistResult,
  type PrismaClient,
  persistScan,
} from '../packages/db/src/index.ts';
import { createMalwareScan, createYaraEngine, loadRuleSet } from '../packages/malware/src/index.ts';
import { scanImage } from '../packages/scanner/src/index.ts';

export async function scanFile(file: string, advisories: AdvisoryStore): Promise<ScanReport> {
  const rules = loadRuleSet();
  const engine = await createYaraEngine(rules.source, { threads: 1 });
  try {
    const malware = createMalwareScan({ engine, rules });
    const { report, removedFiles } = await scanImage(file, {
      fileVisitor: (l) => malware.visitor(l),
    });
    report.maliciousSamples = malware.finish({ layers: report.layers, removedFiles });
    report.vulnerabilities = await matchInventory(report, advisories);
    return report;
  } finally {
    await engine.close();
  }
}

export async function seedImage(
  prisma: PrismaClient,
  location: ImageLocation,
  report: ScanReport,
  scannedAt?: Date,
): Promise<PersistResult> {
  return persistScan(prisma, location, report, scannedAt);
}
