import { type AdvisoryStore, assessInventory } from '@drydock/advisories';
import { type AdvisoryDbUsed, isCoverageWarning, type ScanReport } from '@drydock/contract';
import {
  createMalwareScan,
  type LayerResultCache,
  type RuleSet,
  type YaraEngine,
} from '@drydock/malware';
import {
  APP_ANALYZERS,
  type ImageHandle,
  mergeReanalysis,
  openImage,
  planReanalysis,
  type Reanalysis,
  type ScanProgress,
  scanOpenedImage,
} from '@drydock/scanner';

export interface AnalyzeOptions {
  /** The malware scan; absent: inventory only (`drydock scan --skip-malware`). */
  malware?: {
    engine: YaraEngine;
    rules: RuleSet;
    /** Per-layer results from earlier scans (a shared base layer is scanned once). */
    cache?: LayerResultCache;
    /** Or: keep per-layer results as files in this folder (the CLI's cache). */
    cacheDir?: string;
    /** Larger files are skipped, with a warning. */
    maxFileSize?: number;
  };
  scannerVersion?: string;
  /**
   * An earlier analysis of the same layers with the analyzer versions it was made with
   * (`formatAnalyzerVersions`): application analyzers whose version did not change are not run
   * again, their packages are kept (`planReanalysis`).
   */
  previous?: { report: ScanReport; analyzers: string };
  maxFiles?: number;
  onProgress?: (event: ScanProgress) => void;
  signal?: AbortSignal;
}

export interface Analysis {
  /** Inventory, layers, OS, malicious samples and warnings (vulnerabilities: see matchReport). */
  report: ScanReport;
  /** Layers whose malware results came from the cache. */
  malwareLayersCached: number;
  /** How much of `previous` was re-analyzed (`full` without one). */
  reanalysis: Reanalysis;
}

/**
 * The one scan pipeline, step 1: an opened image's layers streamed once through the scanner
 * (inventory) and, file by file, the malware scan; its samples and warnings join the report.
 * Worker, CLI and seed all run this; the matcher is step 2 (`matchReport`) because the worker
 * stores analyses and re-matches them when advisories change.
 */
export async function analyzeOpenedImage(
  image: ImageHandle,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const malware = options.malware
    ? createMalwareScan({
        engine: options.malware.engine,
        rules: options.malware.rules,
        ...(options.malware.cache ? { cache: options.malware.cache } : {}),
        ...(options.malware.cacheDir ? { cacheDir: options.malware.cacheDir } : {}),
        ...(options.malware.maxFileSize ? { maxFileSize: options.malware.maxFileSize } : {}),
      })
    : undefined;
  const reanalysis: Reanalysis = options.previous
    ? planReanalysis(options.previous.analyzers)
    : { kind: 'full' };
  const reuse =
    reanalysis.kind === 'partial'
      ? reanalysis.reuse
      : reanalysis.kind === 'none'
        ? APP_ANALYZERS.map((a) => a.name)
        : undefined;
  const scanned = await scanOpenedImage(image, {
    ...(reanalysis.kind === 'partial' ? { appAnalyzers: reanalysis.run } : {}),
    ...(reanalysis.kind === 'none' ? { appAnalyzers: [] } : {}),
    ...(options.scannerVersion ? { scannerVersion: options.scannerVersion } : {}),
    ...(options.maxFiles ? { maxFiles: options.maxFiles } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(malware ? { fileVisitor: (layer) => malware.visitor(layer) } : {}),
  });
  const { removedFiles } = scanned;
  const report =
    reuse && options.previous
      ? mergeReanalysis(options.previous.report, scanned.report, reuse)
      : scanned.report;
  if (malware) {
    report.maliciousSamples = malware.finish({ layers: report.layers, removedFiles });
    report.warnings.push(...malware.warnings);
  }
  return { report, malwareLayersCached: malware?.stats.cachedLayers ?? 0, reanalysis };
}

/** `analyzeOpenedImage` of an image file or layout (docker-archive, OCI archive or layout). */
export async function analyzeFile(
  input: string,
  options: AnalyzeOptions & { platform?: string } = {},
): Promise<Analysis> {
  options.onProgress?.({ phase: 'open', input });
  const image = await openImage(input, { platform: options.platform });
  try {
    return await analyzeOpenedImage(image, options);
  } finally {
    await image.close();
  }
}

/**
 * Step 2: the report's packages matched against an advisory database. What could not be checked
 * (no advisories for the OS release or an ecosystem) joins the report's warnings, so "no
 * vulnerabilities" only ever means "looked and found none".
 */
export async function matchReport(
  report: ScanReport,
  advisories: AdvisoryStore,
  /** The database's state (import, counts): recorded in the report with what was looked up. */
  database?: Omit<AdvisoryDbUsed, 'checked'>,
) {
  const { findings, warnings, checked } = await assessInventory(report, advisories);
  const { advisoryDb: _previous, ...rest } = report;
  return {
    ...rest,
    vulnerabilities: findings,
    warnings: [...report.warnings.filter((w) => !isCoverageWarning(w)), ...warnings],
    ...(database ? { advisoryDb: { ...database, checked } } : {}),
  };
}
