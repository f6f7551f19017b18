import { compareDigits } from './compare-util.ts';

type Segment = string | { n: string };

function segments(version: string): Segment[] {
  const v = version.trim().replace(/-/g, '.pre.');
  const raw = v.match(/[0-9]+|[a-z]+/gi) ?? [];
  const all: Segment[] = raw.map((s) => (/^\d+$/.test(s) ? { n: s } : s));
  // canonical: drop trailing zeros of the numeric part and of the prerelease part.
  const firstString = all.findIndex((s) => typeof s === 'string');
  const numeric = firstString < 0 ? all : all.slice(0, firstString);
  const rest = firstString < 0 ? [] : all.slice(firstString);
  const trim = (list: Segment[]) => {
    const out = [...list];
    while (
      out.length &&
      typeof out[out.length - 1] !== 'string' &&
      /^0+$/.test((out[out.length - 1] as { n: string }).n)
    )
      out.pop();
    return out;
  };
  return [...trim(numeric), ...trim(rest)];
}

/** RubyGems versions, as Gem::Version#<=>. */
export function compareRubygems(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const l = x[i] ?? { n: '0' };
    const r = y[i] ?? { n: '0' };
    if (typeof l === 'string' && typeof r === 'string') {
      if (l !== r) return l < r ? -1 : 1;
      continue;
    }
    if (typeof l === 'string') return -1;
    if (typeof r === 'string') return 1;
    const d = compareDigits(l.n, r.n);
    if (d) return d;
  }
  return 0;
}
