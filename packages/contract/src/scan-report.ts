import { z } from 'zod';
import { MaliciousSampleSchema } from './malware.ts';
import { ScannerNameSchema, SensitiveFindingSchema } from './sensitive.ts';
import { VulnerabilityFindingSchema } from './vulnerability.ts';

/**
 * The JSON that `drydock scan --format json` prints: a versioned contract. Additive changes keep
 * `schemaVersion`; anything else bumps it.
 */
export const SCAN_REPORT_SCHEMA_VERSION = 1;

export const Sha256DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const OsFamilySchema = z.enum([
  'alpine',
  'debian',
  'ubuntu',
  'rhel',
  'centos',
  'rocky',
  'almalinux',
  'fedora',
  'amazon',
  'oracle',
  'suse',
  'opensuse',
  'photon',
  'mariner',
  'azurelinux',
  'wolfi',
  'chainguard',
  'alpaquita',
  'minimos',
  'openeuler',
  'mageia',
  'arch',
  'gentoo',
  'unknown',
]);
export type OsFamily = z.infer<typeof OsFamilySchema>;

export const OsInfoSchema = z.object({
  family: OsFamilySchema,
  version: z.string(),
  codename: z.string().optional(),
  prettyName: z.string().optional(),
  /**
   * Red Hat images: the repositories their RPMs came from, from the image content manifests
   * (`root/buildinfo/content_manifests/*.json`, `usr/share/buildinfo/*.json`).
   */
  contentSets: z.array(z.string()).optional(),
  /** The file the answer came from, relative to the image root. */
  source: z.string(),
});
export type OsInfo = z.infer<typeof OsInfoSchema>;

export const LayerInfoSchema = z.object({
  index: z.number().int().min(0),
  diffId: Sha256DigestSchema,
  /** Digest of the blob as stored (compressed); equals diffId for uncompressed layers. */
  digest: Sha256DigestSchema,
  /** The Dockerfile step (history `created_by`) that made the layer, when recorded. */
  createdBy: z.string().optional(),
  /** Bytes of the blob as stored. */
  size: z.number().int().min(0),
  compression: z.enum(['gzip', 'zstd', 'none']),
});
export type LayerInfo = z.infer<typeof LayerInfoSchema>;

/**
 * Package types, named as package URL types where the purl spec has one. OS package managers
 * first (their findings are system vulnerabilities), then language and other package managers
 * (application vulnerabilities).
 */
export const OS_PACKAGE_TYPES = ['deb', 'apk', 'rpm', 'alpm', 'ebuild'] as const;
export const PackageTypeSchema = z.enum([
  ...OS_PACKAGE_TYPES,
  'npm',
  'pypi',
  'maven',
  'golang',
  'cargo',
  'gem',
  'composer',
  'nuget',
  'pear',
  'wordpress-plugin',
  'conda',
  'cran',
  'luarocks',
  'hex',
  'pub',
  'swift',
  'cocoapods',
  'hackage',
  'conan',
  'nix',
  'brew',
  'binary',
]);
export type PackageType = z.infer<typeof PackageTypeSchema>;
export type OsPackageType = (typeof OS_PACKAGE_TYPES)[number];
/** Whether findings on this package type are system (OS) vulnerabilities. */
export const isOsPackageType = (type: string): type is OsPackageType =>
  (OS_PACKAGE_TYPES as readonly string[]).includes(type);

export const HASH_ALGORITHMS = ['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;
export const PackageHashSchema = z.object({
  alg: z.enum(HASH_ALGORITHMS),
  content: z.string().regex(/^[0-9a-f]+$/),
});
export type PackageHash = z.infer<typeof PackageHashSchema>;

export const PackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  type: PackageTypeSchema,
  /** Source package (Debian source, Alpine origin, source rpm name): advisories use it. */
  sourceName: z.string().optional(),
  sourceVersion: z.string().optional(),
  /** rpm epoch, when set. */
  epoch: z.number().int().optional(),
  arch: z.string().optional(),
  licenses: z.array(z.string()).optional(),
  purl: z.string(),
  /** CPE 2.3 name, where known (software identified in binaries by its version strings). */
  cpe: z.string().optional(),
  /** The layer that introduced this name and version. */
  layerDiffId: Sha256DigestSchema,
  layerIndex: z.number().int().min(0),
  /**
   * The file the package was read from, relative to the image root; a file inside an archive as
   * `opt/app/app.war!/WEB-INF/lib/log4j-1.2.17.jar`.
   */
  path: z.string(),
  /** Listed by a lock or manifest file only (what the project declares), not found installed. */
  declared: z.boolean().optional(),
  /** The analyzer that read it (`dpkg`, `npm`, `java`, `binary`…). */
  foundBy: z.string().optional(),
  /**
   * Digests of the package as its package manager records them (npm/Cargo lock integrity) or of
   * the file it is (a jar's SHA-1), in CycloneDX's algorithm names; lowercase hex.
   */
  hashes: z.array(PackageHashSchema).optional(),
  /**
   * The packages of this inventory it depends on (package URLs), where the package manager
   * records dependencies (dpkg Depends, apk D:, rpm requires, npm manifests and lock files).
   */
  dependsOn: z.array(z.string()).optional(),
});
export type Package = z.infer<typeof PackageSchema>;

export const ScanWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  layerIndex: z.number().int().optional(),
  layerDiffId: Sha256DigestSchema.optional(),
  /** The analyzer that could not read a file, when one was involved. */
  analyzer: z.string().optional(),
});
export type ScanWarning = z.infer<typeof ScanWarningSchema>;

/**
 * Warnings that mean "packages not checked for vulnerabilities": no advisory source publishes
 * the release (`unsupported`), or the database holds none for it (`missing`).
 */
export const CoverageWarningCodeSchema = z.enum(['advisories_unsupported', 'advisories_missing']);
export type CoverageWarningCode = z.infer<typeof CoverageWarningCodeSchema>;
export const isCoverageWarning = (w: { code: string }) =>
  CoverageWarningCodeSchema.safeParse(w.code).success;

/**
 * The advisory database a match used: when it was last updated, from where, what it held, and
 * the ecosystems this image's packages were looked up in. Absent: no database was available.
 */
export const AdvisoryDbUsedSchema = z.object({
  /** When the database was last updated (the last successful import). */
  updatedAt: z.string(),
  sources: z.array(z.string()),
  /** The server's import that made this state of the database. */
  importId: z.string().optional(),
  /** Advisory records held, CISA KEV entries and CVE List records. */
  records: z.number().int().optional(),
  knownExploited: z.number().int().optional(),
  cveRecords: z.number().int().optional(),
  /** Each advisory source looked up: the ecosystems the database held and the packages checked. */
  checked: z
    .array(
      z.object({
        label: z.string(),
        ecosystems: z.array(z.string()),
        packages: z.number().int(),
      }),
    )
    .optional(),
});
export type AdvisoryDbUsed = z.infer<typeof AdvisoryDbUsedSchema>;

export const ScanReportSchema = z.object({
  schemaVersion: z.literal(SCAN_REPORT_SCHEMA_VERSION),
  scanner: z.object({ name: z.literal('drydock'), version: z.string() }),
  target: z.object({
    /** What was scanned, as given (file or directory path). */
    input: z.string(),
    format: z.enum(['docker-archive', 'oci-archive', 'oci-layout', 'registry', 'sbom']),
    repoTags: z.array(z.string()),
    /** The image config's labels (`org.opencontainers.image.base.name` names its base). */
    labels: z.record(z.string(), z.string()).optional(),
    manifestDigest: Sha256DigestSchema.optional(),
    configDigest: Sha256DigestSchema,
    platform: z.string(),
  }),
  os: OsInfoSchema.optional(),
  layers: z.array(LayerInfoSchema),
  packages: z.array(PackageSchema),
  /** Present when an advisory database was available for matching. */
  vulnerabilities: z.array(VulnerabilityFindingSchema).optional(),
  /** Present when the malware scan ran: malicious files in any layer. */
  maliciousSamples: z.array(MaliciousSampleSchema).optional(),
  /**
   * Present when the secret or configuration scan ran: secrets, risky image configuration and
   * ghost content (vulnerable packages deleted by a later layer but still shipped).
   */
  sensitive: z.array(SensitiveFindingSchema).optional(),
  /**
   * Packages a later layer deleted while their files still ship in a lower layer (`path` and
   * `layerIndex` say where they are, `deletedInLayer` which layer hid them).
   */
  removedPackages: z
    .array(PackageSchema.extend({ deletedInLayer: z.number().int().min(0) }))
    .optional(),
  /** The scanners that ran (absent in reports from before scanners could be chosen: all but secret/config). */
  scanners: z.array(ScannerNameSchema).optional(),
  advisoryDb: AdvisoryDbUsedSchema.optional().describe(
    'The advisory database the vulnerabilities were matched against',
  ),
  warnings: z.array(ScanWarningSchema),
});
export type ScanReport = z.infer<typeof ScanReportSchema>;
