import { compareDigits } from './compare-util.ts';

/**
 * Dotted numeric versions compared component by component, a longer version winning a tie
 * (`1.0.0` > `1.0`): Hackage (PVP), CRAN (`.` and `-` both separate: `0.1-0` = `0.01.0`) and
 * ConanCenter. A component that is not a number compares as text, after any number.
 */
export function compareDotted(a: string, b: string): number {
  const x = a.trim().split(/[.-]/);
  const y = b.trim().split(/[.-]/);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    const diff = pn && qn ? compareDigits(p, q) : pn ? -1 : qn ? 1 : p < q ? -1 : p > q ? 1 : 0;
    if (diff) return diff;
  }
  return Math.sign(x.length - y.length);
}
