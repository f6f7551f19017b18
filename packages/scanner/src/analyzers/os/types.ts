import type { OsInfo, OsPackageType, ScanWarning } from '@drydock/contract';
import type { ImageFs } from '../../fs/image-fs.ts';

/** An installed OS package as its package database records it. */
export interface OsPackageRecord {
  name: string;
  version: string;
  type: OsPackageType;
  sourceName?: string;
  sourceVersion?: string;
  epoch?: number;
  arch?: string;
  licenses?: string[];
  /** Package database file it was read from (image-relative). */
  path: string;
  /** Files the package installed (image-relative, no leading slash). */
  ownedFiles: string[];
  /**
   * What it needs, as the database says: each entry a list of alternatives (package names,
   * virtual names or capabilities, absolute file paths); `linkDependencies` resolves them.
   */
  requires?: string[][];
  /** Virtual names and capabilities it provides (dpkg Provides, apk p:, rpm provides). */
  provides?: string[];
  /** Installed packages (by name) it depends on: set by `linkDependencies`. */
  dependsOn?: string[];
}

export interface OsPackageAnalyzer {
  /** Its name in the analyzer registry (`dpkg`, `apk`, `rpm`). */
  readonly name: string;
  /** Bumped whenever its output for the same files can change (see analyzers/registry.ts). */
  readonly version: string;
  readonly type: OsPackageRecord['type'];
  /** Files to keep in memory while reading layers. */
  captures(path: string): boolean;
  /** Database paths that may be symlinks to files `captures` did not ask for. */
  readonly wellKnownPaths: string[];
  /** Packages installed in this filesystem state (empty when there is no database). */
  collect(fs: ImageFs, warn: (warning: ScanWarning) => void): Promise<OsPackageRecord[]>;
  purl(record: OsPackageRecord, os: OsInfo | undefined): string;
}

/** Splits an RFC 822-style control file into paragraphs of fields (dpkg status). */
export function parseControlParagraphs(text: string): Record<string, string>[] {
  const paragraphs: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let lastKey: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(current).length) paragraphs.push(current);
      current = {};
      lastKey = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastKey) {
      current[lastKey] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim();
    current[lastKey] = line.slice(colon + 1).trim();
  }
  if (Object.keys(current).length) paragraphs.push(current);
  return paragraphs;
}

/**
 * Resolves each record's `requires` to the installed packages that satisfy them: for every entry,
 * the first alternative installed under that name, else provided by an installed package, else
 * (an absolute path) owned by one. What nothing installed satisfies is left out (a dependency the
 * database records as missing is not the SBOM's to invent).
 */
export function linkDependencies(records: OsPackageRecord[]): void {
  const byName = new Map<string, OsPackageRecord>();
  const providers = new Map<string, OsPackageRecord>();
  let owners: Map<string, OsPackageRecord> | undefined;
  for (const r of records) if (!byName.has(r.name)) byName.set(r.name, r);
  for (const r of records)
    for (const p of r.provides ?? []) if (!providers.has(p)) providers.set(p, r);
  const ownerOf = (path: string) => {
    if (!owners) {
      owners = new Map();
      for (const r of records) for (const f of r.ownedFiles) if (!owners.has(f)) owners.set(f, r);
    }
    return owners.get(path.replace(/^\/+/, ''));
  };
  for (const r of records) {
    if (!r.requires?.length) continue;
    const out = new Set<string>();
    for (const alternatives of r.requires) {
      for (const want of alternatives) {
        const found =
          byName.get(want) ??
          providers.get(want) ??
          (want.startsWith('/') ? ownerOf(want) : undefined);
        if (found) {
          if (found !== r) out.add(found.name);
          break;
        }
      }
    }
    if (out.size) r.dependsOn = [...out].sort();
  }
}
