import { createHash } from 'node:crypto';
import { type ScanReport, ScanReportSchema } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { LayerResult, LayerResultCache, RuleSet, YaraEngine } from '@drydock/malware';
import { analyzeOpenedImage } from '@drydock/pipeline';
import {
  ANALYZER_VERSION,
  type ImageHandle,
  reportTarget,
  ScanError,
  type ScanProgress,
} from '@drydock/scanner';

export interface ScanLimits {
  /** Largest image (sum of compressed layers) a worker pulls. */
  maxImageBytes: number;
  maxLayers: number;
  /** Most entries (files, directories, links) across all layers. */
  maxFiles: number;
}

export interface Analyzer {
  engine: YaraEngine;
  rules: RuleSet;
  limits: ScanLimits;
  /** Identifies analyzer + rule set: a cached analysis is reused only for the same version. */
  version: string;
  /** Reuse and store analyses (default). Off: every scan pulls and analyzes (benchmarks). */
  cache?: boolean;
}

export const analyzerVersion = (rules: RuleSet) =>
  `${ANALYZER_VERSION}+rules.${rules.version.slice(0, 12)}`;

/** Cache key: analyzer version and the ordered diffIDs (the filesystem is a function of both). */
export function analysisKey(
  version: string,
  image: Pick<ImageHandle, 'layers' | 'platform'>,
): string {
  const h = createHash('sha256').update(`${version}\n${image.platform}\n`);
  for (const l of image.layers) h.update(`${l.diffId}\n`);
  return `sha256:${h.digest('hex')}`;
}

export function checkLimits(image: ImageHandle, limits: ScanLimits, compressedBytes?: number) {
  if (image.layers.length > limits.maxLayers) {
    throw new ScanError(
      'limit_exceeded',
      `image has ${image.layers.length} layers; the limit is ${limits.maxLayers} (DRYDOCK_MAX_LAYERS)`,
    );
  }
  if (compressedBytes !== undefined && compressedBytes > limits.maxImageBytes) {
    throw new ScanError(
      'limit_exceeded',
      `image is ${formatBytes(compressedBytes)}; the limit is ${formatBytes(limits.maxImageBytes)} (DRYDOCK_MAX_IMAGE_BYTES)`,
    );
  }
}

const formatBytes = (n: number) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

const layerKey = (version: string, diffId: string) =>
  `sha256:${createHash('sha256').update(`${version}\n${diffId}`).digest('hex')}`;

/**
 * The malware results of an image's layers that any worker stored before, loaded in one query
 * before the scan; new layers are stored as they finish. A base layer shared by many images is
 * scanned for malware once (its files are still read for the inventory).
 */
export async function pgLayerCache(
  prisma: PrismaClient,
  version: string,
  diffIds: string[],
): Promise<LayerResultCache> {
  const rows = await prisma.layerMalwareCache.findMany({
    where: { key: { in: diffIds.map((d) => layerKey(version, d)) } },
    select: { key: true, diffId: true, result: true },
  });
  const known = new Map(rows.map((r) => [r.diffId, r.result as unknown as LayerResult]));
  if (rows.length) {
    await prisma.layerMalwareCache.updateMany({
      where: { key: { in: rows.map((r) => r.key) } },
      data: { lastUsedAt: new Date() },
    });
  }
  return {
    get: (diffId) => known.get(diffId),
    async put(diffId, result) {
      const key = layerKey(version, diffId);
      const json = result as unknown as Prisma.InputJsonValue;
      await prisma.layerMalwareCache.upsert({
        where: { key },
        create: { key, analyzerVersion: version, diffId, result: json },
        update: { result: json, lastUsedAt: new Date() },
      });
    },
  };
}

export interface Analysis {
  /** Inventory, layers, OS, malicious samples, warnings; no vulnerabilities (matched later). */
  report: ScanReport;
  key: string;
  cacheHit: boolean;
  /** Layers whose malware results came from the per-layer cache (on a miss of the whole image). */
  malwareLayersCached?: number;
}

/**
 * The analysis of an opened image: from the shared cache when the same layers were analyzed by
 * the same analyzer version (no layer is pulled), else by streaming every layer through the
 * scanner and the malware scan, and storing the result for the next time.
 */
export async function analyzeImage(
  prisma: PrismaClient,
  analyzer: Analyzer,
  image: ImageHandle,
  onProgress?: (event: ScanProgress) => void,
  signal?: AbortSignal,
): Promise<Analysis> {
  const key = analysisKey(analyzer.version, image);
  const useCache = analyzer.cache !== false;
  const cached = useCache ? await prisma.analysisCache.findUnique({ where: { key } }) : null;
  const target = reportTarget(image);
  if (cached) {
    const parsed = ScanReportSchema.safeParse(cached.inventory);
    if (parsed.success) {
      await prisma.analysisCache.update({ where: { key }, data: { lastUsedAt: new Date() } });
      return { report: { ...parsed.data, target }, key, cacheHit: true };
    }
  }
  const layers = useCache
    ? await pgLayerCache(
        prisma,
        analyzer.version,
        image.layers.map((l) => l.diffId),
      )
    : undefined;
  const { report, malwareLayersCached } = await analyzeOpenedImage(image, {
    malware: {
      engine: analyzer.engine,
      rules: analyzer.rules,
      ...(layers ? { cache: layers } : {}),
    },
    scannerVersion: ANALYZER_VERSION,
    maxFiles: analyzer.limits.maxFiles,
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
  const inventory = { ...report, target } as unknown as Prisma.InputJsonValue;
  if (useCache)
    await prisma.analysisCache.upsert({
      where: { key },
      create: { key, analyzerVersion: analyzer.version, inventory },
      update: { inventory, lastUsedAt: new Date() },
    });
  return {
    report: { ...report, target },
    key,
    cacheHit: false,
    malwareLayersCached,
  };
}

export { Prisma };
