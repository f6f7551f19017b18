export { basicHeader, type Challenge, type Credentials, parseChallenge } from './auth.ts';
export {
  type Descriptor,
  isIndex,
  MANIFEST_TYPES,
  MAX_PAGES,
  type Manifest,
  nextLink,
  RegistryClient,
  type RegistryClientOptions,
} from './client.ts';
export {
  type DiscoveredImage,
  type DiscoveryProblem,
  discoverImages,
  MAX_PLATFORMS,
  splitRepository,
} from './discover.ts';
export { RegistryError, type RegistryErrorCode } from './errors.ts';
export { RegistryImageSource } from './image-source.ts';
export {
  type CheckResult,
  checkRegistry,
  clientForInstance,
  type InstanceAccess,
} from './instance.ts';
