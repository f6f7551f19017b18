import { compareDigits } from './compare-util.ts';

/**
 * Packagist/Composer versions, ordered like PHP's version_compare (which Composer uses) after a
 * leading "v" is dropped: separators and digit/letter changes split components; qualifiers rank
 * dev < alpha/a < beta/b < RC/rc < (number) < pl/p.
 */
function components(version: string): string[] {
  return version
    .trim()
    .replace(/^[vV]/, '')
    .replace(/[-_+]/g, '.')
    .replace(/([^\d.])(\d)/g, '$1.$2')
    .replace(/(\d)([^\d.])/g, '$1.$2')
    .split('.');
}

function weight(part: string): number {
  if (part.startsWith('RC')) return 3;
  const order = ['dev', 'a', 'b', 'rc', '#', 'p'];
  const i = order.findIndex((p) => part.startsWith(p));
  return Math.max(i, 0);
}

const isNumber = (s: string) => /^\d+$/.test(s);

function compareParts(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    let d: number;
    if (isNumber(x) && isNumber(y)) d = compareDigits(x, y);
    else if (!isNumber(x) && !isNumber(y)) d = Math.sign(weight(x) - weight(y));
    else d = isNumber(x) ? Math.sign(weight('#') - weight(y)) : Math.sign(weight(x) - weight('#'));
    if (d) return d;
  }
  if (a.length > b.length)
    return isNumber(a[b.length] as string) ? 1 : compareParts(a.slice(b.length), ['#']);
  if (a.length < b.length)
    return isNumber(b[a.length] as string) ? -1 : compareParts(['#'], b.slice(a.length));
  return 0;
}

export function comparePackagist(a: string, b: string): number {
  return compareParts(components(a), components(b));
}
