import { z } from 'zod';

export const HealthStatusSchema = z.enum(['ok', 'degraded']);

/** Whether scans can make progress: workers alive, and the queue moving. */
export const ScanServiceStateSchema = z.enum(['ok', 'no_workers', 'stuck', 'unknown']);

export const HealthSchema = z.object({
  status: HealthStatusSchema,
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({
    status: z.enum(['up', 'down']),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  }),
  /** Worker processes with a heartbeat within `windowSeconds` (null while the database is down). */
  workers: z
    .object({ alive: z.number().int(), running: z.number().int(), windowSeconds: z.number() })
    .nullable(),
  /** Jobs waiting and running, and how long the oldest has waited (null: none waiting). */
  queue: z
    .object({
      queued: z.number().int(),
      running: z.number().int(),
      oldestQueuedSeconds: z.number().nullable(),
    })
    .nullable(),
  scans: z.object({ state: ScanServiceStateSchema, detail: z.string().nullable() }),
});
export type Health = z.infer<typeof HealthSchema>;
