import { compareDigits } from './compare-util.ts';

const PEP440 =
  /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?((?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?([-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

type Key = (string | number)[];

interface Pep440 {
  epoch: string;
  release: string[];
  pre?: [number, string];
  post?: string;
  dev?: string;
  local?: string[];
}

const PRE_ORDER: Record<string, number> = {
  a: 0,
  alpha: 0,
  b: 1,
  beta: 1,
  c: 2,
  rc: 2,
  pre: 2,
  preview: 2,
};

function parse(version: string): Pep440 | undefined {
  const m = PEP440.exec(version);
  if (!m) return undefined;
  const release = (m[2] as string).split('.');
  while (release.length > 1 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  return {
    epoch: m[1] ?? '0',
    release,
    ...(m[4]
      ? { pre: [PRE_ORDER[m[4].toLowerCase()] as number, m[5] ?? '0'] as [number, string] }
      : {}),
    ...(m[6] ? { post: m[7] ?? m[9] ?? '0' } : {}),
    ...(m[10] ? { dev: m[12] ?? '0' } : {}),
    ...(m[13] ? { local: m[13].toLowerCase().split(/[-_.]/) } : {}),
  };
}

function compareParsed(x: Pep440, y: Pep440): number {
  let d = compareDigits(x.epoch, y.epoch);
  if (d) return d;
  const length = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < length; i++) {
    d = compareDigits(x.release[i] ?? '0', y.release[i] ?? '0');
    if (d) return d;
  }
  // pre: dev-only releases sort before pre-releases; no pre sorts after.
  const preRank = (v: Pep440) => (v.pre ? 1 : !v.post && v.dev ? 0 : 2);
  d = preRank(x) - preRank(y);
  if (d) return Math.sign(d);
  if (x.pre && y.pre) {
    d = x.pre[0] - y.pre[0] || compareDigits(x.pre[1], y.pre[1]);
    if (d) return Math.sign(d);
  }
  if (x.post === undefined || y.post === undefined) {
    if (x.post !== y.post) return x.post === undefined ? -1 : 1;
  } else {
    d = compareDigits(x.post, y.post);
    if (d) return d;
  }
  if (x.dev === undefined || y.dev === undefined) {
    if (x.dev !== y.dev) return x.dev === undefined ? 1 : -1;
  } else {
    d = compareDigits(x.dev, y.dev);
    if (d) return d;
  }
  if (!x.local || !y.local) {
    if (x.local === y.local) return 0;
    return x.local ? 1 : -1;
  }
  const n = Math.max(x.local.length, y.local.length);
  for (let i = 0; i < n; i++) {
    const p = x.local[i];
    const q = y.local[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) d = compareDigits(p, q);
    else if (pn !== qn) d = pn ? 1 : -1;
    else d = p < q ? -1 : p > q ? 1 : 0;
    if (d) return d;
  }
  return 0;
}

/** packaging's LegacyVersion key, for strings that are not PEP 440 (they sort before all). */
function legacyKey(version: string): string[] {
  const replace: Record<string, string> = {
    pre: 'c',
    preview: 'c',
    '-': 'final-',
    rc: 'c',
    dev: '@',
  };
  const parts: string[] = [];
  const raw = version.toLowerCase().split(/(\d+|[a-z]+|\.|-)/);
  const pieces: string[] = [];
  for (const p of raw) {
    const part = replace[p] ?? p;
    if (!part || part === '.') continue;
    pieces.push(/^\d/.test(part) ? part.padStart(8, '0') : `*${part}`);
  }
  pieces.push('*final');
  for (const part of pieces) {
    if (part.startsWith('*')) {
      if (part < '*final')
        while (parts.length && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

function compareKeys(a: Key, b: Key): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const p = a[i];
    const q = b[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** PyPI versions: PEP 440, with legacy (non-PEP 440) versions ordered before all others. */
export function comparePep440(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x && y) return compareParsed(x, y);
  if (x) return 1;
  if (y) return -1;
  return compareKeys(legacyKey(a), legacyKey(b));
}
