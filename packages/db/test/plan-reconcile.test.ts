import { describe, expect, it } from 'vitest';
import { planReconcile } from '../src/index.ts';

describe('planReconcile: how a scan meets the previous findings of an image', () => {
  it('sorts items into new, reopened, still present and gone, counting repeats once', () => {
    const before = [
      { id: 'f1', key: 'a', status: 'open' },
      { id: 'f2', key: 'b', status: 'ignored' },
      { id: 'f3', key: 'c', status: 'resolved' },
      { id: 'f4', key: 'd', status: 'open' },
      { id: 'f5', key: 'e', status: 'resolved' },
    ];
    const items = [{ k: 'a' }, { k: 'b' }, { k: 'c' }, { k: 'x' }, { k: 'x' }];
    const plan = planReconcile(
      items,
      before,
      (i) => i.k,
      (o) => o.key,
    );
    expect(plan.fresh).toEqual([{ k: 'x' }]);
    expect(plan.reopened.map((r) => r.old.id)).toEqual(['f3']);
    // Still present keeps its status (open or ignored): the caller only refreshes details.
    expect(plan.still.map((r) => r.old.id)).toEqual(['f1', 'f2']);
    // Gone: open ones not seen; an already resolved one stays as it is.
    expect(plan.gone.map((o) => o.id)).toEqual(['f4']);
    expect(plan.counts).toEqual({ opened: 1, stillOpen: 3, resolved: 1 });
  });

  it('resolves everything open when a scan finds nothing', () => {
    const plan = planReconcile(
      [],
      [
        { id: 'f1', status: 'open' },
        { id: 'f2', status: 'resolved' },
      ],
      () => 'x',
      (o) => o.id,
    );
    expect(plan.counts).toEqual({ opened: 0, stillOpen: 0, resolved: 1 });
  });
});
