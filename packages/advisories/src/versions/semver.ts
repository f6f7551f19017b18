import { compareDigits, isDigit } from './compare-util.ts';

interface Parsed {
  release: string[];
  pre: string[] | undefined;
}

/** Lenient SemVer: optional leading "v", any number of numeric components, build metadata ignored. */
export function parseSemver(version: string): Parsed {
  let v = version.trim().replace(/^v/i, '');
  const plus = v.indexOf('+');
  if (plus >= 0) v = v.slice(0, plus);
  const dash = v.indexOf('-');
  const core = dash >= 0 ? v.slice(0, dash) : v;
  const pre = dash >= 0 ? v.slice(dash + 1).split('.') : undefined;
  return { release: core.split('.'), pre };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return compareDigits(a, b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: string[], b: string[]): number {
  const length = Math.max(a.length, b.length, 3);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? '0';
    const y = b[i] ?? '0';
    const xd = /^\d+$/.test(x);
    const yd = /^\d+$/.test(y);
    const diff = xd && yd ? compareDigits(x, y) : compareIdentifiers(x, y);
    if (diff) return diff;
  }
  return 0;
}

/** npm, crates.io, Go (v-prefixed, pseudo-versions, +incompatible as build metadata), Hex. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  const release = compareRelease(x.release, y.release);
  if (release) return release;
  if (!x.pre && !y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  const length = Math.max(x.pre.length, y.pre.length);
  for (let i = 0; i < length; i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const diff = compareIdentifiers(p, q);
    if (diff) return diff;
  }
  return 0;
}

export const startsWithDigit = (v: string) => isDigit(v.replace(/^v/i, '')[0]);
