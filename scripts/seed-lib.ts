// Seeds findings through the real pipeline (@drydock/pipeline: scanner and malware scan, then
// the advisory matcher) and persistScan. Used by `pnpm db:seed` and by the API's integration tests.
import type { AdvisoryStore } from '@drydock/advisories';
import type { ScanReport } from '@drydock/contract';
import {
  type ImageLocation,
  type PersistResult,
  type PrismaClient,
  persistScan,
} from '@drydock/db';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { analyzeFile, matchReport } from '@drydock/pipeline';

export async function scanFile(file: string, advisories: AdvisoryStore): Promise<ScanReport> {
  const rules = loadRuleSet();
  const engine = await createYaraEngine(rules.source, { threads: 1 });
  try {
    const { report } = await analyzeFile(file, {
      malware: { engine, rules },
      sensitive: { secrets: true, config: true },
    });
    return await matchReport(report, advisories);
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
