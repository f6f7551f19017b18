import { getHeapStatistics } from 'node:v8';
import { ScanError } from '@drydock/scanner';

export interface HeapReading {
  used: number;
  limit: number;
}

const readHeap = (): HeapReading => {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, limit: h.heap_size_limit };
};

interface Watched {
  controller: AbortController;
  /** Bytes of the image read so far: the largest scan is the likeliest cause. */
  bytes: () => number;
  target: string;
}

const mib = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;

/**
 * Keeps a worker alive when an image needs more memory than it has: while scans run, the V8
 * heap is read every `intervalMs`; past `fraction` of its limit (`--max-old-space-size`,
 * DRYDOCK_WORKER_MEMORY_MB), the running scan that has read the most is stopped with a
 * `memory_limit` reason (that image fails, the others and the process go on). After a stop it
 * waits `cooldownMs` for the garbage collector before judging again.
 */
export class MemoryGuard {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private quietUntil = 0;
  /** Scans stopped so far (for logs and tests). */
  stopped = 0;

  constructor(
    private readonly options: {
      fraction?: number;
      intervalMs?: number;
      cooldownMs?: number;
      read?: () => HeapReading;
      onStop?: (target: string, reading: HeapReading) => void;
    } = {},
  ) {}

  /** Watches one scan; the signal aborts it. Call the returned function when it ends. */
  watch(id: string, target: string, bytes: () => number): { signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    this.watched.set(id, { controller, bytes, target });
    this.timer ??= setInterval(() => this.check(), this.options.intervalMs ?? 200);
    this.timer.unref();
    return {
      signal: controller.signal,
      done: () => {
        this.watched.delete(id);
        if (this.watched.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  check(): void {
    if (Date.now() < this.quietUntil) return;
    const reading = (this.options.read ?? readHeap)();
    if (reading.used < reading.limit * (this.options.fraction ?? 0.85)) return;
    const running = [...this.watched.values()].filter((w) => !w.controller.signal.aborted);
    if (running.length === 0) return;
    const victim = running.reduce((a, b) => (b.bytes() > a.bytes() ? b : a));
    victim.controller.abort(
      new ScanError(
        'memory_limit',
        `the worker's memory reached ${mib(reading.used)} of its ${mib(reading.limit)} heap while scanning this image (${mib(victim.bytes())} read): the scan was stopped to keep the worker running; scan it on a worker with more memory (DRYDOCK_WORKER_MEMORY_MB)`,
      ),
    );
    this.stopped++;
    this.quietUntil = Date.now() + (this.options.cooldownMs ?? 2000);
    this.options.onStop?.(victim.target, reading);
  }
}
