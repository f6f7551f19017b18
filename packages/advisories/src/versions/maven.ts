import { compareDigits, isDigit } from './compare-util.ts';

// Maven's ComparableVersion: a version is a list of items (numbers, qualifiers, sub-lists).
type Item =
  | { kind: 'int'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  }
  return { kind: 'string', value: ALIASES[v] ?? v };
}

const parseItem = (buf: string): Item =>
  /^\d+$/.test(buf) ? { kind: 'int', value: buf.replace(/^0+(?=\d)/, '') } : stringItem(buf, false);

function isNull(item: Item): boolean {
  if (item.kind === 'int') return /^0+$/.test(item.value);
  if (item.kind === 'string') return item.value === '';
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) {
      list.splice(i, 1);
      // "1-ga-1" is "1-1": a release qualifier between hyphens leaves no extra nesting.
      const only = list[0];
      if (last.kind === 'string' && list.length === 1 && only?.kind === 'list')
        list.splice(0, 1, ...only.items);
    } else if (last.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const root: Item = { kind: 'list', items: [] };
  let list = root;
  const stack: Item[] = [root];
  let isDigitRun = false;
  let start = 0;
  const push = () => {
    const next: Item = { kind: 'list', items: [] };
    (list as { items: Item[] }).items.push(next);
    list = next;
    stack.push(next);
  };
  const items = () => (list as { items: Item[] }).items;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '.') {
      items().push(i === start ? { kind: 'int', value: '0' } : parseItem(v.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      items().push(i === start ? { kind: 'int', value: '0' } : parseItem(v.slice(start, i)));
      start = i + 1;
      push();
    } else if (isDigit(c)) {
      if (!isDigitRun && i > start) {
        items().push(stringItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigitRun = true;
    } else {
      if (isDigitRun && i > start) {
        items().push(parseItem(v.slice(start, i)));
        start = i;
        push();
      }
      isDigitRun = false;
    }
  }
  if (v.length > start) items().push(parseItem(v.slice(start)));
  while (stack.length) normalize((stack.pop() as { items: Item[] }).items);
  return root;
}

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'int':
      if (!b) return isNull(a) ? 0 : 1;
      if (b.kind === 'int') return compareDigits(a.value, b.value);
      return 1;
    case 'string':
      if (!b) return cmpStr(qualifierKey(a.value), RELEASE_INDEX);
      if (b.kind === 'int' || b.kind === 'list') return -1;
      return cmpStr(qualifierKey(a.value), qualifierKey(b.value));
    case 'list': {
      if (!b) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r) return r;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const result =
          l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
        if (result) return result;
      }
      return 0;
    }
  }
}

/** Maven versions, as org.apache.maven.artifact.versioning.ComparableVersion. */
export function compareMaven(a: string, b: string): number {
  return Math.sign(compareItem(parseMaven(a), parseMaven(b)));
}
