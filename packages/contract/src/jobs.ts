import { z } from 'zod';

/**
 * Jobs on the pg-boss queue. The name is the queue; the schema validates the payload on both
 * sides (the producer before `send`, the worker before it acts).
 */
export const RegistryCheckJobSchema = z.object({
  instanceId: z.uuid(),
});
export type RegistryCheckJob = z.infer<typeof RegistryCheckJobSchema>;

/** Import advisories (mirror folder, file or OSV mirror URL) into the server's database. */
export const AdvisoryImportJobSchema = z.object({
  source: z.string().min(1),
  ecosystems: z.array(z.string()).optional(),
});
export type AdvisoryImportJob = z.infer<typeof AdvisoryImportJobSchema>;

export const JOBS = {
  'registry.check': RegistryCheckJobSchema,
  'advisories.import': AdvisoryImportJobSchema,
} as const;
export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]>;
