export { cvss3BaseScore } from './match/cvss.ts';
export { fixCommand } from './match/fix-command.ts';
export {
  type Assessment,
  assessInventory,
  type CoverageGap,
  coverageWarnings,
  type Inventory,
  matchInventory,
} from './match/match.ts';
export { prioritize } from './match/priority.ts';
export {
  type AdvisoryTarget,
  advisoryTarget,
  normalizeName,
  redHatStream,
  resolveTarget,
  schemeOf,
  schemeOfPackageType,
} from './osv/ecosystems.ts';
export { evaluateAffected } from './osv/ranges.ts';
export type { OsvAffected, OsvRecord } from './osv/types.ts';
export {
  AdvisoryDb,
  type AdvisoryStore,
  type AdvisoryWriter,
  type CveInfo,
  cveIdsOf,
  defaultCacheDir,
  lacksCvss,
} from './store/advisory-db.ts';
export {
  DEFAULT_ECOSYSTEMS,
  DEFAULT_MAX_CVE_RECORDS,
  type ImportProgress,
  type ImportReport,
  importAdvisories,
  PUBLIC_CVE_SERVICE,
  PUBLIC_KEV_FEED,
  parseCveRecord,
} from './store/import.ts';
export {
  advisoryMirrorRoots,
  checkImportSource,
  MIRROR_EGRESS,
  SourceError,
  type SourcePolicy,
} from './store/source.ts';
export { COMPARATORS, type VersionScheme } from './versions/index.ts';
