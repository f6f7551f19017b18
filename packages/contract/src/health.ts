import { z } from 'zod';

export const HealthStatusSchema = z.enum(['ok', 'degraded']);

export const HealthSchema = z.object({
  status: HealthStatusSchema,
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({
    status: z.enum(['up', 'down']),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  }),
});
export type Health = z.infer<typeof HealthSchema>;
