import type { OsPackageType, PackageHash, PackageType } from '@drydock/contract';
import { type PurlParts, purl } from '../../purl.ts';

/** A language package found in one file of one layer. */
export interface AppRecord {
  name: string;
  version: string;
  type: Exclude<PackageType, OsPackageType>;
  purl: string;
  /** Where it was found; nested archives as `outer.war!/WEB-INF/lib/inner.jar`. */
  path: string;
  /** From a lock or manifest file (what the project declares), not from installed files. */
  declared?: boolean;
  licenses?: string[];
  /** CPE 2.3 name, where the software is known by one (binaries found by version strings). */
  cpe?: string;
  /** The analyzer that read it (set by the layer reader). */
  foundBy?: string;
  /** Digests the package manager records for it, or of the file it is. */
  hashes?: PackageHash[];
  /** Package URLs of what it depends on, where the file it came from resolves them (lock files). */
  dependsOn?: string[];
  /**
   * Names of what it depends on, to be resolved against the image's installed packages of its
   * type (an installed npm package's manifest): see `linkAppDependencies`.
   */
  requires?: string[];
}

export interface AnalyzerWarning {
  message: string;
}

export interface AppAnalyzerContext {
  warn(message: string): void;
  limits: AppLimits;
}

export interface AppLimits {
  /** Largest file an application analyzer reads into memory. */
  maxFileSize: number;
  /** Nested archives deeper than this are not opened. */
  maxArchiveDepth: number;
  /** Total bytes inflated from one outer archive (zip bomb guard). */
  maxInflatedBytes: number;
}

export const DEFAULT_APP_LIMITS: AppLimits = {
  maxFileSize: 512 * 1024 * 1024,
  maxArchiveDepth: 4,
  maxInflatedBytes: 1024 * 1024 * 1024,
};

export interface AppAnalyzer {
  /** Its name in the analyzer registry; packages it finds carry it as `foundBy`. */
  readonly name: string;
  /** Bumped whenever its output for the same files can change (see analyzers/registry.ts). */
  readonly version: string;
  /**
   * Whether the file at this path should be read. `head` is the first bytes of the file when the
   * decision needs content (ELF magic); analyzers that decide by name ignore it.
   */
  matches(path: string, size: number, mode: number): boolean;
  /**
   * Only the first this many bytes of a matched file are read (0: the path alone says what it
   * is, as in a Nix store path). Absent: the whole file, up to the size limit.
   */
  readonly readBytes?: number;
  /** Parses one file; throws on malformed input (the caller turns it into a warning). */
  analyze(path: string, data: Buffer, ctx: AppAnalyzerContext): AppRecord[];
}

/** A package record; `declared` and `licenses` only appear when they say something. */
export const appRecord = (
  found: Pick<AppRecord, 'name' | 'version' | 'type' | 'purl' | 'path'>,
  declared = false,
  licenses?: string[],
): AppRecord => ({
  ...found,
  ...(declared ? { declared } : {}),
  ...(licenses?.length ? { licenses } : {}),
});

/**
 * A record with its package URL built from its type, name and version; `purl` overrides the URL's
 * namespace, name or qualifiers where the ecosystem spells them differently.
 */
export const purlRecord = (
  type: AppRecord['type'],
  name: string,
  version: string,
  path: string,
  options: {
    declared?: boolean;
    licenses?: string[];
    purl?:
      | Omit<PurlParts, 'type' | 'version'>
      | { namespace?: string; qualifiers?: Record<string, string> };
  } = {},
): AppRecord =>
  appRecord(
    { name, version, type, purl: purl({ type, name, ...options.purl, version }), path },
    options.declared,
    options.licenses,
  );

/** PEP 503 normalised project name. */
export const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

const SRI_ALGORITHMS: Record<string, PackageHash['alg']> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** Subresource-integrity strings (`sha512-<base64> sha1-<base64>`, npm and yarn) as hashes. */
export function sriHashes(value: unknown): PackageHash[] | undefined {
  if (typeof value !== 'string') return undefined;
  const out: PackageHash[] = [];
  for (const token of value.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(token);
    if (!m) continue;
    const content = Buffer.from(m[2] as string, 'base64').toString('hex');
    if (content) out.push({ alg: SRI_ALGORITHMS[m[1] as string] as PackageHash['alg'], content });
  }
  return out.length ? out : undefined;
}
