import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdvisoryDb, importAdvisories } from '@drydock/advisories';
import type { ScanReport } from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { scanFile } from '../../../../scripts/seed-lib.ts';

/**
 * Real scan reports (inventory, vulnerabilities, malware) of images from ../shared/images, matched
 * against a throw-away advisory database built from `advisories` (a path under ../shared).
 */
export async function scanSharedImages(
  images: string[],
  advisories: string[] = ['advisories'],
): Promise<Map<string, ScanReport>> {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-api-adv-'));
  try {
    const db = await AdvisoryDb.open(cache);
    await importAdvisories(db, shared(...advisories));
    const reports = new Map<string, ScanReport>();
    for (const image of images) reports.set(image, await scanFile(shared('images', image), db));
    return reports;
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
