import { ScanError } from '@drydock/scanner';
import { describe, expect, it } from 'vitest';
import { MemoryGuard } from '../src/scan/memory-guard.ts';

const MiB = 1024 ** 2;

describe('MemoryGuard', () => {
  it('stops the running scan that has read the most once the heap passes its share', () => {
    let used = 100 * MiB;
    const stops: string[] = [];
    const guard = new MemoryGuard({
      fraction: 0.8,
      cooldownMs: 0,
      read: () => ({ used, limit: 200 * MiB }),
      onStop: (target) => stops.push(target),
    });
    const small = guard.watch('a', 'small:1', () => 5 * MiB);
    const big = guard.watch('b', 'big:1', () => 300 * MiB);
    guard.check();
    expect(small.signal.aborted || big.signal.aborted).toBe(false);
    used = 170 * MiB;
    guard.check();
    expect(big.signal.aborted).toBe(true);
    expect(small.signal.aborted).toBe(false);
    const reason = big.signal.reason as ScanError;
    expect(reason).toBeInstanceOf(ScanError);
    expect(reason.code).toBe('memory_limit');
    expect(reason.message).toBe(
      "the worker's memory reached 170 MiB of its 200 MiB heap while scanning this image (300 MiB read): the scan was stopped to keep the worker running; scan it on a worker with more memory (DRYDOCK_WORKER_MEMORY_MB)",
    );
    expect(stops).toEqual(['big:1']);
    small.done();
    big.done();
  });

  it('waits for the garbage collector after a stop before judging again', () => {
    let now = 0;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const guard = new MemoryGuard({
        cooldownMs: 2000,
        read: () => ({ used: 95, limit: 100 }),
      });
      const one = guard.watch('1', 'one', () => 2);
      const two = guard.watch('2', 'two', () => 1);
      guard.check();
      expect([one.signal.aborted, two.signal.aborted]).toEqual([true, false]);
      now = 1000;
      guard.check();
      expect(two.signal.aborted).toBe(false);
      now = 2500;
      guard.check();
      expect(two.signal.aborted).toBe(true);
      expect(guard.stopped).toBe(2);
    } finally {
      Date.now = realNow;
    }
  });
});
