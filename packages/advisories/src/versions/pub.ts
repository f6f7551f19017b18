import { compareSemver } from './semver.ts';

const identifiers = (build: string) => build.split('.');

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return compareSemver(a, b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Dart pub: SemVer, except that build metadata orders versions (`1.0.0` < `1.0.0+1` <
 * `1.0.0+2`), compared like pre-release identifiers.
 */
export function comparePub(a: string, b: string): number {
  const diff = compareSemver(a, b);
  if (diff) return diff;
  const x = a.includes('+') ? a.slice(a.indexOf('+') + 1) : undefined;
  const y = b.includes('+') ? b.slice(b.indexOf('+') + 1) : undefined;
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
  const p = identifiers(x);
  const q = identifiers(y);
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    if (p[i] === undefined) return -1;
    if (q[i] === undefined) return 1;
    const d = compareIdentifier(p[i] as string, q[i] as string);
    if (d) return d;
  }
  return 0;
}
