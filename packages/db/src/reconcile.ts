/**
 * How one scan's items meet an image's previous findings, by key: new ones, ones that come back
 * after being resolved, ones still present (they keep status and triage), and open ones no
 * longer found. An item repeated under the same key counts once.
 */
export function planReconcile<I, O extends { status: string }>(
  items: readonly I[],
  before: readonly O[],
  itemKey: (item: I) => string,
  oldKey: (old: O) => string,
) {
  const previous = new Map(before.map((o) => [oldKey(o), o]));
  const seen = new Set<string>();
  const fresh: I[] = [];
  const reopened: { item: I; old: O }[] = [];
  const still: { item: I; old: O }[] = [];
  for (const item of items) {
    const k = itemKey(item);
    if (seen.has(k)) continue;
    seen.add(k);
    const old = previous.get(k);
    if (!old) fresh.push(item);
    else if (old.status === 'resolved') reopened.push({ item, old });
    else still.push({ item, old });
  }
  const gone = before.filter((o) => !seen.has(oldKey(o)) && o.status !== 'resolved');
  return {
    fresh,
    reopened,
    still,
    gone,
    counts: {
      opened: fresh.length,
      stillOpen: reopened.length + still.length,
      resolved: gone.length,
    },
  };
}
