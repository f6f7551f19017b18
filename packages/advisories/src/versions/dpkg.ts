import { compareDigits, isAlpha, isDigit } from './compare-util.ts';

/** dpkg's character order in non-digit runs: '~' first, then end of string, letters, others. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    let da = '';
    let db = '';
    while (isDigit(a[i])) da += a[i++];
    while (isDigit(b[j])) db += b[j++];
    firstDiff = compareDigits(da || '0', db || '0');
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export function parseDpkg(version: string): { epoch: string; upstream: string; revision: string } {
  const v = version.trim();
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? v.slice(0, colon) : '0';
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
    : { epoch, upstream: rest, revision: '' };
}

/** Debian/Ubuntu package versions, as `dpkg --compare-versions`. */
export function compareDpkg(a: string, b: string): number {
  const x = parseDpkg(a);
  const y = parseDpkg(b);
  const epoch = compareDigits(x.epoch, y.epoch);
  if (epoch) return epoch;
  const upstream = verrevcmp(x.upstream, y.upstream);
  if (upstream) return Math.sign(upstream);
  return Math.sign(verrevcmp(x.revision, y.revision));
}
