import type { PrismaClient } from '@drydock/db';
import { createChangesRepository } from './changes-repository.ts';
import { createFixPlanRepository } from './fix-plan-repository.ts';
import { createImagesRepository } from './images-repository.ts';
import { createSamplesRepository } from './samples-repository.ts';
import { createSensitiveRepository } from './sensitive-repository.ts';
import { createSummaryRepository } from './summary-repository.ts';
import { createVulnerabilitiesRepository } from './vulnerabilities-repository.ts';

export { emptyCounts, type ImageCounts } from './findings-sql.ts';

/** Data access of the findings module, one repository per concern. */
export function createFindingsRepository(db: PrismaClient) {
  return {
    ...createVulnerabilitiesRepository(db),
    ...createSamplesRepository(db),
    ...createSensitiveRepository(db),
    ...createImagesRepository(db),
    ...createSummaryRepository(db),
    ...createFixPlanRepository(db),
    ...createChangesRepository(db),
  };
}
export type FindingsRepository = ReturnType<typeof createFindingsRepository>;
