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
