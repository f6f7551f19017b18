import { compareDigits } from './compare-util.ts';

/**
 * Alpine apk versions: number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}. Parsed into
 * parts and compared part by part; strings that do not fit keep their unparsed remainder, which
 * sorts them below well-formed versions.
 */
interface Apk {
  original: string;
  invalid: boolean;
  remainder: string;
  numbers: string[];
  letter: string;
  suffixes: { weight: number; number: string }[];
  build: string;
}

const SUFFIX_WEIGHTS = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const NO_SUFFIX = SUFFIX_WEIGHTS.indexOf('');

function parse(version: string): Apk {
  const v: Apk = {
    original: version,
    invalid: false,
    remainder: '',
    numbers: [],
    letter: '',
    suffixes: [],
    build: '0',
  };
  let rest = version;
  const numbers = /^(?:\d+\.?)*/.exec(rest)?.[0] ?? '';
  if (numbers) {
    v.numbers = numbers.split('.');
    rest = rest.slice(numbers.length);
  }
  if (/^[a-z]/.test(rest)) {
    v.letter = rest[0] as string;
    rest = rest.slice(1);
  }
  for (;;) {
    const m = /^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/.exec(rest);
    if (!m) break;
    v.suffixes.push({ weight: SUFFIX_WEIGHTS.indexOf(m[1] as string), number: m[2] || '0' });
    rest = rest.slice(m[0].length);
  }
  const hash = /^~[0-9a-f]+/.exec(rest)?.[0];
  if (hash) rest = rest.slice(hash.length);
  if (rest) {
    const m = /^-r(\d*)/.exec(rest);
    if (m) {
      v.build = m[1] || '0';
      rest = rest.slice(m[0].length);
    } else v.invalid = true;
  }
  v.remainder = rest;
  return v;
}

function compareNumber(a: string, ai: number, b: string, bi: number): number {
  // After the first component, a leading zero means a fractional-style comparison.
  if (ai !== 0 && bi !== 0 && (a[0] === '0' || b[0] === '0')) return a < b ? -1 : a > b ? 1 : 0;
  return compareDigits(a, b);
}

export function compareApk(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.invalid && y.invalid) return x.original < y.original ? -1 : x.original > y.original ? 1 : 0;
  const n = Math.max(x.numbers.length, y.numbers.length);
  for (let i = 0; i < n; i++) {
    const d = compareNumber(
      x.numbers[i] ?? '0',
      i < x.numbers.length ? i : -1,
      y.numbers[i] ?? '0',
      i < y.numbers.length ? i : -1,
    );
    if (d) return d;
  }
  if (x.letter !== y.letter) {
    if (!x.letter) return -1;
    if (!y.letter) return 1;
    return x.letter < y.letter ? -1 : 1;
  }
  const s = Math.max(x.suffixes.length, y.suffixes.length);
  for (let i = 0; i < s; i++) {
    const p = x.suffixes[i] ?? { weight: NO_SUFFIX, number: '0' };
    const q = y.suffixes[i] ?? { weight: NO_SUFFIX, number: '0' };
    if (p.weight !== q.weight) return p.weight < q.weight ? -1 : 1;
    const d = compareDigits(p.number, q.number);
    if (d) return d;
  }
  const build = compareDigits(x.build, y.build);
  if (build) return build;
  if (!x.remainder && y.remainder) return 1;
  if (x.remainder && !y.remainder) return -1;
  return 0;
}
