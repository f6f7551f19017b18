export { PROP } from './common.ts';
export {
  type CycloneDxOptions,
  cycloneDxBom,
  toCycloneDx,
  validateCycloneDx,
} from './cyclonedx.ts';
export { lineOf } from './json-lines.ts';
export { MAX_SBOM_BYTES, parsePurl, type ReadSbom, readSbom, SbomError } from './read.ts';
export { type SpdxOptions, toSpdx, validateSpdx } from './spdx.ts';
