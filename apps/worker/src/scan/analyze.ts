import { createHash } from 'node:crypto';
import { type ScanReport, ScanReportSchema, VERSION } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { LayerResult, LayerResultCache, RuleSet, YaraEngine } from '@drydock/malware';
import { analyzeOpenedImage } from '@drydock/pipeline';
import {
  formatAnalyzerVersions,
  type ImageHandle,
  type Reanalysis,
  reportTarget,
  ScanError,
  type ScanProgress,
} from '@drydock/scanner';
import { loadSecretRules } from '@drydock/sensitive';

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
  /**
   * The analyzer versions and rule set an analysis is made with (`analyzerVersion`): a stored
   * analysis of the same layers with the same version is reused whole; with another, only what
   * changed is analyzed again (`planReanalysis`).
   */
  version: string;
  /** Keys the per-layer malware results (default: the rule set's version). */
  malwareVersion?: string;
  /** Reuse and store analyses (default). Off: every scan pulls and analyzes (benchmarks). */
  cache?: boolean;
}

/** The malware rule set's part of the version: per-layer malware results depend only on it. */
export const malwareVersion = (rules: RuleSet) => `malware:rules@${rules.version.slice(0, 12)}`;

/** Every analyzer's version (the registry's), the malware rule set's and the secret rules'. */
export const analyzerVersion = (rules: RuleSet) =>
  `${formatAnalyzerVersions()} ${malwareVersion(rules)} sensitive:rules@${loadSecretRules().version}`;

/**
 * Cache key: the platform and the ordered diffIDs (the filesystem is a function of both). The
 * versions it was analyzed with are stored beside it, so a changed analyzer refreshes the entry.
 */
export function analysisKey(image: Pick<ImageHandle, 'layers' | 'platform'>): string {
  const h = createHash('sha256').update(`analysis/2\n${image.platform}\n`);
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
  /** On a miss: what was analyzed again (`partial`: only the changed application analyzers). */
  reanalysis?: Reanalysis;
}

/**
 * The analysis of an opened image: from the shared cache when the same layers were analyzed by
 * the same analyzer versions (no layer is pulled), else by streaming every layer through the
 * scanner and the malware scan — running only the analyzers whose version changed when an older
 * analysis of these layers exists, and malware rules only on layers not scanned with this rule
 * set — and storing the result for the next time.
 */
export async function analyzeImage(
  prisma: PrismaClient,
  analyzer: Analyzer,
  image: ImageHandle,
  onProgress?: (event: ScanProgress) => void,
  signal?: AbortSignal,
): Promise<Analysis> {
  const key = analysisKey(image);
  const useCache = analyzer.cache !== false;
  const cached = useCache ? await prisma.analysisCache.findUnique({ where: { key } }) : null;
  const target = reportTarget(image);
  let previous: { report: ScanReport; analyzers: string } | undefined;
  if (cached) {
    const parsed = ScanReportSchema.safeParse(cached.inventory);
    // Secrets and checks read the image config too: the same layers under another config (an
    // ENV or LABEL step on top) are analyzed again.
    if (
      parsed.success &&
      cached.analyzerVersion === analyzer.version &&
      parsed.data.target.configDigest === image.configDigest
    ) {
      await prisma.analysisCache.update({ where: { key }, data: { lastUsedAt: new Date() } });
      return { report: { ...parsed.data, target }, key, cacheHit: true };
    }
    if (parsed.success) previous = { report: parsed.data, analyzers: cached.analyzerVersion };
  }
  const layers = useCache
    ? await pgLayerCache(
        prisma,
        analyzer.malwareVersion ?? malwareVersion(analyzer.rules),
        image.layers.map((l) => l.diffId),
      )
    : undefined;
  const { report, malwareLayersCached, reanalysis } = await analyzeOpenedImage(image, {
    malware: {
      engine: analyzer.engine,
      rules: analyzer.rules,
      ...(layers ? { cache: layers } : {}),
    },
    sensitive: { secrets: true, config: true },
    scannerVersion: VERSION,
    ...(previous ? { previous } : {}),
    maxFiles: analyzer.limits.maxFiles,
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
  const inventory = { ...report, target } as unknown as Prisma.InputJsonValue;
  if (useCache)
    await prisma.analysisCache.upsert({
      where: { key },
      create: { key, analyzerVersion: analyzer.version, inventory },
      update: { inventory, analyzerVersion: analyzer.version, lastUsedAt: new Date() },
    });
  return {
    report: { ...report, target },
    key,
    cacheHit: false,
    malwareLayersCached,
    reanalysis,
  };
}

export { Prisma };
