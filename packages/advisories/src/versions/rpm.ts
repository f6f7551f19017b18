import { compareDigits, isAlpha, isDigit } from './compare-util.ts';

const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** rpmvercmp: alternating numeric and alphabetic segments, with '~' (pre) and '^' (post) rules. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const test = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (i < a.length && test(a[i])) i++;
    while (j < b.length && test(b[j])) j++;
    const x = a.slice(si, i);
    const y = b.slice(sj, j);
    if (y === '') return numeric ? 1 : -1;
    const diff = numeric ? compareDigits(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (diff) return diff;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export function parseEvr(version: string): { epoch: string; version: string; release?: string } {
  const colon = version.indexOf(':');
  const epoch = colon >= 0 ? version.slice(0, colon) || '0' : '0';
  const rest = colon >= 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch, version: rest };
}

/** RPM epoch:version-release (RHEL, AlmaLinux, Rocky, Fedora, SUSE, Amazon…). */
export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const epoch =
    /^\d+$/.test(x.epoch) && /^\d+$/.test(y.epoch)
      ? compareDigits(x.epoch, y.epoch)
      : rpmvercmp(x.epoch, y.epoch);
  if (epoch) return epoch;
  const version = rpmvercmp(x.version, y.version);
  if (version) return version;
  // A version without a release sorts before the same version with one.
  if (x.release === undefined || y.release === undefined) {
    return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
  }
  return rpmvercmp(x.release, y.release);
}
