import { type SbomImported, type ScanReport, ScanReportSchema } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import { readSbom, SbomError, toCycloneDx, toSpdx } from '@drydock/sbom';
import type { Principal, Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../lib/errors.ts';
import type { ReportsService } from '../scans/reports-service.ts';

export type SbomFormat = 'cyclonedx' | 'spdx';

/** The key a pushed report's inventory is kept under (scanned images use their layer chain's). */
export const reportInventoryKey = (report: ScanReport) =>
  `report:${report.target.manifestDigest ?? report.target.configDigest}`;

/**
 * SBOMs of stored images: the inventory the last scan used (kept for re-matching), as CycloneDX
 * 1.6 or SPDX 2.3 JSON, named as the console names the image.
 */
export function createSbomService(prisma: PrismaClient, reports: ReportsService) {
  return {
    /**
     * An SBOM made by any tool (CycloneDX or SPDX JSON), read into an inventory, matched with the
     * server's advisories and stored like a scanned image (trigger `sbom`).
     */
    async importSbom(
      text: string,
      name: string | undefined,
      principal: Principal,
    ): Promise<SbomImported> {
      let read: ReturnType<typeof readSbom>;
      try {
        read = readSbom(text);
      } catch (error) {
        if (error instanceof SbomError) throw new UnprocessableError('invalid_sbom', error.message);
        throw error;
      }
      const pushed = await reports.push(read.report, name, principal, 'sbom');
      return {
        ...pushed,
        format: read.format,
        tool: read.tool ?? null,
        packages: read.report.packages.length,
        warnings: read.report.warnings,
      };
    },

    async imageSbom(id: string, format: SbomFormat, visible: Visibility) {
      const image = await prisma.image.findFirst({
        where: { id, ...visibleImageWhere(visible) },
        select: { id: true, name: true, digest: true, analysisKey: true },
      });
      if (!image) throw new NotFoundError(`No image ${id}`);
      const cached = image.analysisKey
        ? await prisma.analysisCache.findUnique({ where: { key: image.analysisKey } })
        : null;
      const parsed = cached ? ScanReportSchema.safeParse(cached.inventory) : undefined;
      if (!parsed?.success) {
        throw new ConflictError(
          'no stored inventory for this image yet: scan it (Scan Now) and ask again',
          'no_inventory',
        );
      }
      const report: ScanReport = {
        ...parsed.data,
        target: {
          ...parsed.data.target,
          repoTags: image.name ? [image.name] : parsed.data.target.repoTags,
        },
      };
      const base = `${(image.name || 'image').replace(/[^A-Za-z0-9._-]+/g, '_')}-${image.digest.replace(/^sha256:/, '').slice(0, 12)}`;
      return format === 'cyclonedx'
        ? {
            body: toCycloneDx(report),
            contentType: 'application/vnd.cyclonedx+json; version=1.6',
            filename: `${base}.cdx.json`,
          }
        : {
            body: `${JSON.stringify(toSpdx(report), null, 2)}\n`,
            contentType: 'application/spdx+json',
            filename: `${base}.spdx.json`,
          };
    },
  };
}
export type SbomService = ReturnType<typeof createSbomService>;
