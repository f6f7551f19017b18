import { compareDigits } from './compare-util.ts';

function parse(version: string) {
  let v = version.trim();
  const plus = v.indexOf('+');
  if (plus >= 0) v = v.slice(0, plus);
  const dash = v.indexOf('-');
  const core = (dash >= 0 ? v.slice(0, dash) : v).split('.');
  const labels = dash >= 0 ? v.slice(dash + 1).split('.') : [];
  return { core, labels };
}

/** NuGet versions (major.minor.patch.revision, case-insensitive release labels, metadata ignored). */
export function compareNuget(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) {
    const d = compareDigits(x.core[i] ?? '0', y.core[i] ?? '0');
    if (d) return d;
  }
  if (!x.labels.length || !y.labels.length) {
    if (x.labels.length === y.labels.length) return 0;
    return x.labels.length ? -1 : 1;
  }
  const n = Math.max(x.labels.length, y.labels.length);
  for (let i = 0; i < n; i++) {
    const p = x.labels[i];
    const q = y.labels[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    let d: number;
    if (pn && qn) d = compareDigits(p, q);
    else if (pn !== qn) d = pn ? -1 : 1;
    else {
      const lp = p.toLowerCase();
      const lq = q.toLowerCase();
      d = lp < lq ? -1 : lp > lq ? 1 : 0;
    }
    if (d) return d;
  }
  return 0;
}
