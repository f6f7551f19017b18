export {
  checkUrl,
  EgressError,
  egressAgent,
  guardedLookup,
  rangesOfHost,
  type SafeFetchOptions,
  type SafeRequestInit,
  safeFetch,
} from './fetch.ts';
export {
  type AddressRange,
  type EgressRules,
  egressRefusal,
  PRIVATE_RANGES,
  type RangeKind,
  rangeOf,
} from './ranges.ts';
