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
  type FileVisitor,
  type ImageHandle,
  mergeReanalysis,
  openImage,
  planReanalysis,
  type Reanalysis,
  type ScanProgress,
  scanOpenedImage,
} from '@drydock/scanner';
import { createSensitiveScan, dedupe, ghostFindings } from '@drydock/sensitive';

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
  /**
   * Secrets (in files and the image config) and image configuration checks; absent: neither
   * (`drydock scan --scanners` without `secret` and `config`).
   */
  sensitive?: { secrets: boolean; config: boolean; maxFileSize?: number };
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
  const sensitive =
    options.sensitive && (options.sensitive.secrets || options.sensitive.config)
      ? createSensitiveScan(options.sensitive)
      : undefined;
  const visitors = [malware, sensitive].filter((v) => v !== undefined);
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
    ...(visitors.length
      ? { fileVisitor: (layer) => joinVisitors(visitors.map((v) => v.visitor(layer))) }
      : {}),
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
  if (sensitive && options.sensitive) {
    const packageFiles = new Set<string>();
    for (const p of scanned.packages) for (const f of p.ownedFiles) packageFiles.add(f);
    report.sensitive = sensitive.finish({
      config: image.config,
      layers: report.layers,
      removedFiles,
      fs: scanned.fs,
      packageFiles,
    });
    report.warnings.push(...sensitive.warnings);
    // The build steps and labels that held a secret keep it masked in the report too.
    for (const layer of report.layers)
      if (layer.createdBy) layer.createdBy = sensitive.redact(layer.createdBy);
    const labels = report.target.labels;
    if (labels)
      for (const key of Object.keys(labels)) labels[key] = sensitive.redact(labels[key] as string);
  }
  report.scanners = [
    'vuln',
    ...(malware ? (['malware'] as const) : []),
    ...(options.sensitive?.secrets ? (['secret'] as const) : []),
    ...(options.sensitive?.config ? (['config'] as const) : []),
  ];
  return { report, malwareLayersCached: malware?.stats.cachedLayers ?? 0, reanalysis };
}

/** Several file visitors as one: each sees every file; reading waits for whichever is behind. */
function joinVisitors(visitors: FileVisitor[]): FileVisitor {
  if (visitors.length === 1) return visitors[0] as FileVisitor;
  return {
    onFile(path, size, mode) {
      const sinks = visitors.flatMap((v) => v.onFile?.(path, size, mode) ?? []);
      if (!sinks.length) return undefined;
      if (sinks.length === 1) return sinks[0];
      return {
        data(chunk) {
          for (const s of sinks) s.data(chunk);
        },
        end() {
          for (const s of sinks) s.end();
        },
      };
    },
    wait() {
      const pending = visitors.flatMap((v) => v.wait?.() ?? []);
      return pending.length ? Promise.all(pending).then(() => undefined) : undefined;
    },
    async done() {
      await Promise.all(visitors.map((v) => v.done?.()));
    },
  };
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
  // Ghost content (with the configuration checks): deleted packages matched like installed ones.
  let sensitive = report.sensitive;
  if (sensitive && report.scanners?.includes('config')) {
    const removed = report.removedPackages ?? [];
    const ghosts = removed.length
      ? ghostFindings(
          removed,
          (await assessInventory({ ...report, packages: removed }, advisories)).findings,
          report.layers,
        )
      : [];
    sensitive = dedupe([...sensitive.filter((f) => f.kind !== 'ghost'), ...ghosts]);
  }
  return {
    ...rest,
    ...(sensitive ? { sensitive } : {}),
    vulnerabilities: findings,
    warnings: [...report.warnings.filter((w) => !isCoverageWarning(w)), ...warnings],
    ...(database ? { advisoryDb: { ...database, checked } } : {}),
  };
}
