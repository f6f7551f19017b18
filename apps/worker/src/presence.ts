import { hostname } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { PrismaClient } from '@drydock/db';

/** This worker process, as scan jobs and the health endpoint name it. */
export const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * The worker's heartbeat: a `worker_process` row refreshed every `intervalMs` (with the scans it
 * runs and its heap), removed when it stops. A database outage only delays the next beat.
 */
export function startPresence(
  prisma: PrismaClient,
  options: { concurrency: number; running: () => number; intervalMs?: number },
): { stop(): Promise<void> } {
  const beat = async () => {
    const heap = getHeapStatistics();
    const data = {
      concurrency: options.concurrency,
      running: options.running(),
      heapUsedBytes: BigInt(heap.used_heap_size),
      heapLimitBytes: BigInt(heap.heap_size_limit),
      lastSeenAt: new Date(),
    };
    await prisma.workerProcess
      .upsert({
        where: { id: WORKER_ID },
        create: { id: WORKER_ID, host: hostname(), pid: process.pid, ...data },
        update: data,
      })
      .catch(() => undefined);
  };
  void beat();
  const timer = setInterval(() => void beat(), options.intervalMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await prisma.workerProcess.deleteMany({ where: { id: WORKER_ID } }).catch(() => undefined);
    },
  };
}
