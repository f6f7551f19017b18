import {
  type LayerInfo,
  type OsInfo,
  type Package,
  type PackageHash,
  SCAN_REPORT_SCHEMA_VERSION,
  type ScanReport,
  type ScanWarning,
} from '@drydock/contract';
import { isAssemblyRecord } from './analyzers/app/dotnet.ts';
import { resolveNodeModule } from './analyzers/app/npm.ts';
import {
  type AppLimits,
  type AppRecord,
  DEFAULT_APP_LIMITS,
  pep503,
} from './analyzers/app/types.ts';
import type { OsPackageAnalyzer, OsPackageRecord } from './analyzers/os/types.ts';
import { APP_ANALYZERS, OS_ANALYZERS } from './analyzers/registry.ts';
import { ScanError } from './errors.ts';
import { ImageFs, type RemovedFile, SymlinkLoopError } from './fs/image-fs.ts';
import { type ImageHandle, openImage } from './image/open-image.ts';
import {
  type CapturePolicy,
  type FileVisitor,
  type LayerContents,
  readLayer,
} from './image/read-layer.ts';
import { CONTENT_MANIFEST, detectOs, OS_FILES } from './os/detect-os.ts';
import { normalizeEntryPath } from './tar/paths.ts';

export type ScanProgress =
  | { phase: 'open'; input: string }
  | { phase: 'layer'; index: number; total: number; bytes: number }
  | { phase: 'analyze' };

export interface ScanOptions {
  /** `os/arch[/variant]`; default linux/amd64 for multi-platform images. */
  platform?: string;
  /** Largest single file kept in memory for analysis (package databases). */
  maxCapturedFileSize?: number;
  scannerVersion?: string;
  onProgress?: (event: ScanProgress) => void;
  /** Bounds for application analyzers (file size, archive nesting, inflated bytes). */
  appLimits?: Partial<AppLimits>;
  /**
   * Names of the application analyzers to run (a partial re-analysis: see `planReanalysis`);
   * files the others would read are skipped. OS analyzers always run. Absent: all.
   */
  appAnalyzers?: readonly string[];
  /** Sees every regular file of every layer as it streams by (the malware scanner). */
  fileVisitor?: (layer: { index: number; diffId: string }) => FileVisitor;
  /** Rejects images with more entries (files, directories, links) across all layers. */
  maxFiles?: number;
  /**
   * Stops the scan: the layer being read is abandoned and the scan rejects with the signal's
   * reason (the worker's memory guard uses it to fail one image instead of losing the process).
   */
  signal?: AbortSignal;
}

/** An OS package with what the application analyzers and the malware scanner need beyond JSON. */
export interface InventoryPackage extends Package {
  ownedFiles: string[];
}

export interface ScanResult {
  report: ScanReport;
  packages: InventoryPackage[];
  /** Files deleted or overwritten by a later layer: they still ship inside the image. */
  removedFiles: RemovedFile[];
  /** The final filesystem (paths, modes, layers; contents only of captured files). */
  fs: ImageFs;
}

type RemovedPackage = NonNullable<ScanReport['removedPackages']>[number];

/** What names an OS package in a report: name, version, type, source, epoch, architecture. */
const osIdentity = (record: OsPackageRecord) => ({
  name: record.name,
  version: record.version,
  type: record.type,
  ...(record.sourceName ? { sourceName: record.sourceName } : {}),
  ...(record.sourceVersion ? { sourceVersion: record.sourceVersion } : {}),
  ...(record.epoch !== undefined ? { epoch: record.epoch } : {}),
  ...(record.arch ? { arch: record.arch } : {}),
});

/**
 * Packages a later layer deleted whose files still ship in the layer that installed them: OS
 * packages whose name the database no longer lists, language packages whose metadata file was
 * deleted. Named by a file they owned (OS) or their metadata file (language packages).
 */
function removedPackagesOf(
  analyzers: readonly OsPackageAnalyzer[],
  attributions: Map<OsPackageAnalyzer, Attribution>,
  apps: AppTracker,
  os: OsInfo | undefined,
  image: ImageHandle,
  fs: ImageFs,
): RemovedPackage[] {
  const deleted = new Set(fs.removed.filter((r) => r.type === 'file').map((r) => r.path));
  const present = (file: string) => {
    try {
      return fs.resolve(file) !== undefined;
    } catch {
      return false;
    }
  };
  const out: RemovedPackage[] = [];
  const place = (layer: number, deletedInLayer: number) => ({
    layerDiffId: image.layers[layer]?.diffId ?? '',
    layerIndex: layer,
    deletedInLayer,
  });
  for (const analyzer of analyzers) {
    for (const { record, layer, deletedInLayer } of attributions.get(analyzer)?.removed ?? []) {
      // Unlisted but not deleted (the database itself was removed): its files are in the image.
      const file = record.ownedFiles.find((f) => deleted.has(f) && !present(f));
      if (!file) continue;
      out.push({
        ...osIdentity(record),
        purl: analyzer.purl(record, os),
        foundBy: analyzer.name,
        path: file,
        ...place(layer, deletedInLayer),
      });
    }
  }
  for (const { record, layer, deletedInLayer } of apps.removed) {
    out.push({
      name: record.name,
      version: record.version,
      type: record.type,
      purl: record.purl,
      ...(record.foundBy ? { foundBy: record.foundBy } : {}),
      path: record.path,
      ...place(layer, deletedInLayer),
    });
  }
  return out.sort(comparePackages);
}

const DEFAULT_MAX_CAPTURE = 256 * 1024 * 1024;

function capturePolicy(
  analyzers: readonly OsPackageAnalyzer[],
  maxFileSize: number,
): CapturePolicy {
  const osFiles = new Set(OS_FILES);
  return {
    maxFileSize,
    wants: (path) =>
      osFiles.has(path) || CONTENT_MANIFEST.test(path) || analyzers.some((a) => a.captures(path)),
  };
}

const keyOf = (r: OsPackageRecord) =>
  `${r.type}|${r.name}|${r.epoch ?? ''}|${r.version}|${r.arch ?? ''}`;

/** A package a later layer deleted: its files still ship in the layer that added it. */
interface Removed<R> {
  record: R;
  layer: number;
  deletedInLayer: number;
}

/**
 * Tracks, for every package, the layer from which it has been continuously present: the layer that
 * introduced the version the final image has. A package whose name a later layer's database no
 * longer lists at all (removed, not upgraded) is kept as removed.
 */
class Attribution {
  private readonly since = new Map<string, { layer: number; record: OsPackageRecord }>();
  readonly removed: Removed<OsPackageRecord>[] = [];
  update(layer: number, records: OsPackageRecord[]): void {
    const present = new Map(records.map((r) => [keyOf(r), r]));
    const names = new Set(records.map((r) => r.name));
    for (const [key, was] of this.since) {
      if (present.has(key)) continue;
      this.since.delete(key);
      if (!names.has(was.record.name))
        this.removed.push({ record: was.record, layer: was.layer, deletedInLayer: layer });
    }
    for (const [key, record] of present)
      if (!this.since.has(key)) this.since.set(key, { layer, record });
  }
  layerOf(record: OsPackageRecord): number {
    return this.since.get(keyOf(record))?.layer ?? 0;
  }
}

const appKey = (r: AppRecord) => `${r.type}|${r.name}|${r.version}|${r.path}`;

/**
 * Application packages by the file they were read from, each with the layer from which its
 * name and version have been continuously present at that path.
 */
class AppTracker {
  private readonly state = new Map<string, { records: AppRecord[]; since: Map<string, number> }>();

  /** Installed packages whose file a later layer deleted (their bytes still ship). */
  readonly removed: Removed<AppRecord>[] = [];

  apply(layer: number, contents: LayerContents, touched: Set<string>): void {
    for (const path of touched) {
      const records = contents.apps?.get(path);
      const previous = this.state.get(path);
      if (!records) {
        // Deleted, or replaced by something that is not (readable) package metadata.
        if (previous) {
          this.state.delete(path);
          for (const record of previous.records) {
            if (record.declared) continue;
            const since = previous.since.get(appKey(record)) ?? 0;
            this.removed.push({ record, layer: since, deletedInLayer: layer });
          }
        }
        continue;
      }
      const since = new Map<string, number>();
      for (const r of records) since.set(appKey(r), previous?.since.get(appKey(r)) ?? layer);
      this.state.set(path, { records, since });
    }
  }

  *entries(): Generator<{ file: string; record: AppRecord; layer: number }> {
    for (const [file, { records, since }] of this.state) {
      for (const record of records) yield { file, record, layer: since.get(appKey(record)) ?? 0 };
    }
  }
}

/**
 * Turns an image (docker-archive, OCI archive or OCI layout) into an inventory: OS, layers with
 * their Dockerfile steps, and OS packages attributed to the layer that introduced them. Layers are
 * streamed one at a time; nothing is extracted to disk.
 */
export async function scanImage(input: string, options: ScanOptions = {}): Promise<ScanResult> {
  options.onProgress?.({ phase: 'open', input });
  const image = await openImage(input, { platform: options.platform });
  try {
    return await scanOpenedImage(image, options);
  } finally {
    await image.close();
  }
}

/** Scans an image already opened (e.g. by `openImageFromSource`); the caller closes it. */
export async function scanOpenedImage(
  image: ImageHandle,
  options: ScanOptions = {},
): Promise<ScanResult> {
  const analyzers = OS_ANALYZERS;
  const capture = capturePolicy(analyzers, options.maxCapturedFileSize ?? DEFAULT_MAX_CAPTURE);
  const warnings: ScanWarning[] = [];
  const warn = (w: ScanWarning) => warnings.push(w);
  const fs = new ImageFs();
  const attributions = new Map(analyzers.map((a) => [a, new Attribution()]));
  const apps = new AppTracker();
  const appScan = {
    analyzers: APP_ANALYZERS,
    limits: { ...DEFAULT_APP_LIMITS, ...options.appLimits },
    ...(options.appAnalyzers ? { run: new Set(options.appAnalyzers) } : {}),
  };
  const layerInfos: LayerInfo[] = [];
  const pending = new Map<number, LayerContents>();
  let next = 0;
  let entryCount = 0;

  const apply = async (index: number, contents: LayerContents) => {
    const ref = image.layers[index];
    if (!ref) return;
    entryCount += contents.entries.size;
    if (options.maxFiles !== undefined && entryCount > options.maxFiles) {
      throw new ScanError(
        'limit_exceeded',
        `${image.input}: more than ${options.maxFiles} files (limit) after layer ${index}`,
      );
    }
    layerInfos[index] = {
      index,
      diffId: ref.diffId,
      digest: contents.digest,
      ...(ref.createdBy ? { createdBy: ref.createdBy } : {}),
      size: contents.size,
      compression: contents.compression,
    };
    const touched = fs.applyLayer(index, contents);
    apps.apply(index, contents, touched);
    for (const w of contents.appWarnings ?? []) {
      warn({
        code: 'app_metadata',
        message: `${w.path}: ${w.message}`,
        path: w.path,
        analyzer: w.analyzer,
        layerIndex: index,
        layerDiffId: ref.diffId,
      });
    }
    for (const analyzer of analyzers) {
      let changed = false;
      for (const path of touched) {
        if (analyzer.captures(path)) {
          changed = true;
          break;
        }
      }
      if (!changed) continue;
      const records = await collectSafely(analyzer, fs, warn, index);
      attributions.get(analyzer)?.update(index, records);
    }
  };

  const byBlob = new Map<string, number[]>();
  for (const l of image.layers)
    byBlob.set(l.blobName, [...(byBlob.get(l.blobName) ?? []), l.index]);
  const signal = options.signal;
  signal?.throwIfAborted();
  await image.source.forEach([...byBlob.keys()], async (blobName, stream) => {
    const indexes = byBlob.get(blobName) ?? [];
    const first = image.layers[indexes[0] ?? 0];
    if (!first) return;
    signal?.throwIfAborted();
    const abandon = () => stream.destroy(signal?.reason);
    signal?.addEventListener('abort', abandon, { once: true });
    let contents: LayerContents;
    try {
      contents = await readLayer(
        stream,
        first,
        capture,
        options.fileVisitor?.(first) ?? {},
        appScan,
      );
    } finally {
      signal?.removeEventListener('abort', abandon);
    }
    // A reader may swallow the destroyed stream as a short layer: the reason wins.
    signal?.throwIfAborted();
    for (const index of indexes) pending.set(index, contents);
    // Layers arrive in archive order; merge them in image order.
    while (pending.has(next)) {
      const ready = pending.get(next) as LayerContents;
      pending.delete(next);
      options.onProgress?.({
        phase: 'layer',
        index: next,
        total: image.layers.length,
        bytes: ready.size,
      });
      await apply(next, ready);
      next++;
    }
  });

  signal?.throwIfAborted();
  options.onProgress?.({ phase: 'analyze' });
  await captureLinkedFiles(image, fs, capture, analyzers);
  const os: OsInfo | undefined = detectOs(fs, warn);

  const packages: InventoryPackage[] = [];
  for (const analyzer of analyzers) {
    const attribution = attributions.get(analyzer) as Attribution;
    const records = await collectSafely(analyzer, fs, warn, undefined);
    const purlOf = new Map(records.map((r) => [r, analyzer.purl(r, os)]));
    // Dependencies name packages; with several of one name (multilib), the first one's URL.
    const purls = new Map<string, string>();
    for (const [r, url] of purlOf) if (!purls.has(r.name)) purls.set(r.name, url);
    for (const record of records) {
      const layerIndex = attribution.layerOf(record);
      const layer = image.layers[layerIndex];
      const dependsOn = (record.dependsOn ?? []).flatMap((name) => purls.get(name) ?? []);
      packages.push({
        ...osIdentity(record),
        ...(record.licenses?.length ? { licenses: record.licenses } : {}),
        purl: purlOf.get(record) as string,
        foundBy: analyzer.name,
        layerDiffId: layer?.diffId ?? '',
        layerIndex,
        path: record.path,
        ...(dependsOn.length ? { dependsOn } : {}),
        ownedFiles: record.ownedFiles,
      });
    }
  }
  packages.push(...appPackages(apps, packages, fs, image));
  packages.sort(comparePackages);
  const removedPackages = removedPackagesOf(analyzers, attributions, apps, os, image, fs);

  const report: ScanReport = {
    schemaVersion: SCAN_REPORT_SCHEMA_VERSION,
    scanner: { name: 'drydock', version: options.scannerVersion ?? '0.0.0' },
    target: reportTarget(image),
    ...(os ? { os } : {}),
    layers: layerInfos,
    packages: packages.map(({ ownedFiles: _owned, ...pkg }) => pkg),
    ...(removedPackages.length ? { removedPackages } : {}),
    warnings,
  };
  return { report, packages, removedFiles: fs.removed, fs };
}

/** What a report says about the image it describes. */
export function reportTarget(image: ImageHandle): ScanReport['target'] {
  const labels = labelsOf(image.config.config?.Labels);
  return {
    input: image.input,
    format: image.format,
    repoTags: image.repoTags,
    ...(labels ? { labels } : {}),
    ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
    configDigest: image.configDigest,
    platform: image.platform,
  };
}

/** Names as the ecosystem compares them (PEP 503 for Python: `PyYAML` is `pyyaml`). */
const comparableName = (type: string, name: string) => (type === 'pypi' ? pep503(name) : name);

/** The image config's labels, bounded (they come from the image: hostile input). */
function labelsOf(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' || key.length > 256 || v.length > 2048) continue;
    out[key] = v;
    if (++n >= 128) break;
  }
  return n ? out : undefined;
}

const identityOf = (p: { type: string; name: string; version: string }) =>
  `${p.type}|${comparableName(p.type, p.name)}|${p.version}`;

/** Packages found installed (not only declared by a lock file), by type, name and version. */
const installedIdentities = (
  packages: Iterable<{ type: string; name: string; version: string; declared?: boolean }>,
) => {
  const out = new Set<string>();
  for (const p of packages) if (!p.declared) out.add(identityOf(p));
  return out;
};

/** The inventory's order: by type, name, version. */
export const comparePackages = (a: Package, b: Package) =>
  a.type.localeCompare(b.type) ||
  a.name.localeCompare(b.name) ||
  a.version.localeCompare(b.version);

/**
 * A partial re-analysis (`planReanalysis`) joined with the analysis it refreshes: `fresh` ran the
 * OS analyzers and the application analyzers that changed; the packages and warnings of the
 * unchanged ones (`reuse`) come from `previous`. Layers, OS, samples come from `fresh`. A lock-file
 * entry is dropped when the same package is installed, whichever analyzer found either.
 */
export function mergeReanalysis(
  previous: ScanReport,
  fresh: ScanReport,
  reuse: readonly string[],
): ScanReport {
  const kept = new Set(reuse);
  const packages = [
    ...fresh.packages,
    ...previous.packages.filter((p) => p.foundBy !== undefined && kept.has(p.foundBy)),
  ];
  const installed = installedIdentities(packages);
  return {
    ...fresh,
    packages: packages
      .filter((p) => !p.declared || !installed.has(identityOf(p)))
      .sort(comparePackages),
    warnings: [
      ...fresh.warnings,
      ...previous.warnings.filter((w) => w.analyzer !== undefined && kept.has(w.analyzer)),
    ],
  };
}

/**
 * Language packages of the final image: files owned by an OS package are left out (the distro
 * ships and patches them, its advisories apply), and declared lock-file entries are dropped when
 * the same package is installed.
 */
function appPackages(
  apps: AppTracker,
  osPackages: InventoryPackage[],
  fs: ImageFs,
  image: ImageHandle,
): InventoryPackage[] {
  const owned = new Set<string>();
  for (const p of osPackages) {
    for (const file of p.ownedFiles) {
      owned.add(file);
      // Package lists may name a path through a symlinked directory (/lib → usr/lib).
      try {
        const resolved = fs.resolve(file, false)?.path;
        if (resolved) owned.add(resolved);
      } catch {
        // a looping path owns nothing we can find
      }
    }
  }
  const out: InventoryPackage[] = [];
  // A .NET application's deps.json names its packages; its assemblies' version resources would
  // name them again (by assembly version): assemblies are read only where no deps.json is.
  const depsDirs = new Set<string>();
  for (const { file } of apps.entries()) {
    if (file.endsWith('.deps.json')) depsDirs.add(file.slice(0, file.lastIndexOf('/') + 1));
  }
  const found = [...apps.entries()].filter(
    ({ file, record }) =>
      !owned.has(file) &&
      !(isAssemblyRecord(record) && depsDirs.has(file.slice(0, file.lastIndexOf('/') + 1))),
  );
  const installed = installedIdentities(found.map((f) => f.record));
  // A lock file's digest of a package stays with the installed copy that replaces its entry.
  const lockHashes = new Map<string, PackageHash[]>();
  for (const { record } of found) {
    if (record.declared && record.hashes && !lockHashes.has(identityOf(record)))
      lockHashes.set(identityOf(record), record.hashes);
  }
  const requires = new Map<InventoryPackage, string[]>();
  const seen = new Set<string>();
  for (const { record, layer } of found) {
    const identity = identityOf(record);
    if (record.declared && installed.has(identity)) continue;
    const key = `${identity}|${record.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hashes = record.hashes ?? lockHashes.get(identity);
    const pkg: InventoryPackage = {
      name: record.name,
      version: record.version,
      type: record.type,
      ...(record.licenses?.length ? { licenses: record.licenses } : {}),
      purl: record.purl,
      ...(record.cpe ? { cpe: record.cpe } : {}),
      ...(record.foundBy ? { foundBy: record.foundBy } : {}),
      layerDiffId: image.layers[layer]?.diffId ?? '',
      layerIndex: layer,
      path: record.path,
      ...(record.declared ? { declared: true } : {}),
      ...(hashes ? { hashes } : {}),
      ...(record.dependsOn?.length ? { dependsOn: record.dependsOn } : {}),
      ownedFiles: [],
    };
    if (record.requires?.length) requires.set(pkg, record.requires);
    out.push(pkg);
  }
  linkInstalled(requires, out);
  return out;
}

const NPM_MANIFEST = '/package.json';
/** The site directory of an installed Python distribution (`…/site-packages`). */
const siteOf = (path: string) =>
  /^(.*?)\/?[^/]+\.(?:dist-info|egg-info|egg)(?:\/|$)/.exec(path)?.[1];

/**
 * Installed packages name what they depend on; this finds each as the runtime would: npm in the
 * nearest `node_modules` up the tree (`resolveNodeModule`), Python in the same site directory,
 * else any installed distribution of that name.
 */
function linkInstalled(requires: Map<InventoryPackage, string[]>, packages: InventoryPackage[]) {
  if (!requires.size) return;
  const npmAt = new Map<string, string>();
  const pypiAt = new Map<string, string>();
  const pypiAny = new Map<string, string>();
  for (const p of packages) {
    if (p.declared) continue;
    if (p.type === 'npm' && p.path.endsWith(NPM_MANIFEST))
      npmAt.set(p.path.slice(0, -NPM_MANIFEST.length), p.purl);
    if (p.type === 'pypi') {
      const name = pep503(p.name);
      pypiAt.set(`${siteOf(p.path)}|${name}`, p.purl);
      if (!pypiAny.has(name)) pypiAny.set(name, p.purl);
    }
  }
  for (const [pkg, names] of requires) {
    let dependsOn: string[] = [];
    if (pkg.type === 'npm' && pkg.path.endsWith(NPM_MANIFEST)) {
      const dir = pkg.path.slice(0, -NPM_MANIFEST.length);
      dependsOn = names.flatMap((name) => resolveNodeModule(dir, name, (d) => npmAt.get(d)) ?? []);
    } else if (pkg.type === 'pypi') {
      const site = siteOf(pkg.path);
      dependsOn = names.flatMap((name) => pypiAt.get(`${site}|${name}`) ?? pypiAny.get(name) ?? []);
    }
    dependsOn = [...new Set(dependsOn)].filter((d) => d !== pkg.purl);
    if (dependsOn.length) pkg.dependsOn = dependsOn;
  }
}

/**
 * A well-known file (os-release, a package database) may be a symlink to a path nobody asked to
 * keep while the layers streamed by. Such targets are fetched afterwards by reading again only the
 * layers that hold them.
 */
async function captureLinkedFiles(
  image: ImageHandle,
  fs: ImageFs,
  capture: CapturePolicy,
  analyzers: readonly OsPackageAnalyzer[],
): Promise<void> {
  const wanted = new Map<number, Set<string>>();
  for (const path of [...OS_FILES, ...analyzers.flatMap((a) => a.wellKnownPaths)]) {
    let resolved: ReturnType<ImageFs['resolve']>;
    try {
      resolved = fs.resolve(path);
    } catch (error) {
      if (error instanceof SymlinkLoopError) continue;
      throw error;
    }
    const node = resolved?.node;
    if (!resolved || node?.type !== 'file' || node.content || node.size > capture.maxFileSize)
      continue;
    wanted.set(node.layer, (wanted.get(node.layer) ?? new Set()).add(resolved.path));
  }
  for (const [layerIndex, paths] of wanted) {
    const ref = image.layers[layerIndex];
    if (!ref) continue;
    await image.source.forEach([ref.blobName], async (_name, stream) => {
      const again = await readLayer(stream, ref, {
        maxFileSize: capture.maxFileSize,
        wants: (p) => paths.has(p),
      });
      for (const path of paths) {
        const node = fs.lookupLiteral(normalizeEntryPath(path, 'capture'));
        const content = again.entries.get(path)?.content;
        if (node && content) node.content = content;
      }
    });
  }
}

async function collectSafely(
  analyzer: OsPackageAnalyzer,
  fs: ImageFs,
  warn: (w: ScanWarning) => void,
  layerIndex: number | undefined,
): Promise<OsPackageRecord[]> {
  try {
    return await analyzer.collect(fs, warn);
  } catch (error) {
    // A damaged package database costs its packages, not the scan.
    warn({
      code: `${analyzer.type}_unreadable`,
      analyzer: analyzer.name,
      message: `${analyzer.type} database unreadable: ${error instanceof Error ? error.message : String(error)}`,
      ...(layerIndex !== undefined ? { layerIndex } : {}),
    });
    return [];
  }
}
