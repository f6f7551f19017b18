export { PROP } from './common.ts';
export {
  type CycloneDxOptions,
  cycloneDxBom,
  toCycloneDx,
  validateCycloneDx,
} from './cyclonedx.ts';
export { type SpdxOptions, toSpdx, validateSpdx } from './spdx.ts';
