import type { Comparator } from '../versions/index.ts';
import type { OsvAffected } from './types.ts';

export interface RangeVerdict {
  affected: boolean;
  /** The version that ends the affected interval containing the installed version. */
  fixed?: string;
  /** The last affected version of that interval, when the feed names one instead of a fix. */
  lastAffected?: string;
}

const ZERO = '0';

/**
 * Evaluates an installed version against one OSV `affected` entry: explicit `versions`, and
 * `ECOSYSTEM`/`SEMVER` ranges made of introduced / fixed / last_affected / limit events.
 */
export function evaluateAffected(
  entry: OsvAffected,
  version: string,
  compare: Comparator,
): RangeVerdict {
  if (entry.versions?.some((v) => compare(v, version) === 0)) {
    return { affected: true, ...firstFixAbove(entry, version, compare) };
  }
  for (const range of entry.ranges ?? []) {
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue;
    const limits = range.events.flatMap((e) => (e.limit ? [e.limit] : []));
    if (limits.some((limit) => limit !== '*' && compare(version, limit) >= 0)) continue;
    const events = range.events
      .filter(
        (e) => e.introduced !== undefined || e.fixed !== undefined || e.last_affected !== undefined,
      )
      .map((e) => ({ e, v: (e.introduced ?? e.fixed ?? e.last_affected) as string }))
      .sort((a, b) =>
        a.v === ZERO && a.e.introduced !== undefined
          ? -1
          : b.v === ZERO && b.e.introduced !== undefined
            ? 1
            : compare(a.v, b.v),
      );
    let start: string | undefined;
    for (const { e } of events) {
      if (e.introduced !== undefined) {
        start ??= e.introduced;
        continue;
      }
      if (start === undefined) continue;
      const inside = start === ZERO || compare(version, start) >= 0;
      if (e.fixed !== undefined) {
        if (inside && compare(version, e.fixed) < 0) return { affected: true, fixed: e.fixed };
      } else if (e.last_affected !== undefined) {
        if (inside && compare(version, e.last_affected) <= 0)
          return { affected: true, lastAffected: e.last_affected };
      }
      start = undefined;
    }
    if (start !== undefined && (start === ZERO || compare(version, start) >= 0))
      return { affected: true };
  }
  return { affected: false };
}

function firstFixAbove(
  entry: OsvAffected,
  version: string,
  compare: Comparator,
): { fixed?: string } {
  const fixes = (entry.ranges ?? [])
    .flatMap((r) => r.events.flatMap((e) => (e.fixed ? [e.fixed] : [])))
    .filter((f) => compare(f, version) > 0)
    .sort(compare);
  return fixes[0] ? { fixed: fixes[0] } : {};
}
