export { ociPurl, PROP } from './common.ts';
export {
  type CycloneDxOptions,
  cycloneDxBom,
  toCycloneDx,
  validateCycloneDx,
} from './cyclonedx.ts';
export { SbomError } from './document.ts';
export { lineOf } from './json-lines.ts';
export { MAX_SBOM_BYTES, parsePurl, type ReadSbom, readSbom } from './read.ts';
export { type SpdxOptions, toSpdx, validateSpdx } from './spdx.ts';
export {
  conflicts,
  covers,
  productsOf,
  purlIdentity,
  type ReadVex,
  readVex,
  type VexImage,
  type VexStatement,
} from './vex-in.ts';
export { openVexStatement, toCycloneDxVex, toOpenVex, type VexDecision } from './vex-out.ts';
