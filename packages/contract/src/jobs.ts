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
  /** The CISA KEV catalog URL, and the CVE record URL template (`{id}`), when fetched too. */
  kev: z.string().optional(),
  cve: z.string().optional(),
  /** The `advisory_import` row that follows it (absent: jobs queued before imports were kept). */
  importId: z.uuid().optional(),
});
export type AdvisoryImportJob = z.infer<typeof AdvisoryImportJobSchema>;

/** Pull (or re-match) and scan one image; the ScanJob row holds what and the outcome. */
export const ImageScanJobSchema = z.object({ scanJobId: z.uuid() });
export type ImageScanJob = z.infer<typeof ImageScanJobSchema>;

/** Walk a registry's catalog into namespaces, repositories and images. */
export const RegistrySyncJobSchema = z.object({
  instanceId: z.uuid(),
  /** Queue a scan of the instance's images once the sync is done (scheduled scans). */
  thenScan: z.boolean().default(false),
});
export type RegistrySyncJob = z.infer<typeof RegistrySyncJobSchema>;

/**
 * A registry said a tag was pushed (push events): read that repository's tags into images and
 * scan the pushed digest (a platform manifest, or every platform of a pushed index).
 */
export const RegistryPushJobSchema = z.object({
  instanceId: z.uuid(),
  repository: z.string().min(1).max(512),
  digests: z
    .array(z.string().regex(/^sha256:[0-9a-f]{64}$/))
    .min(1)
    .max(100),
});
export type RegistryPushJob = z.infer<typeof RegistryPushJobSchema>;

/** Send one webhook delivery (retried with backoff; every attempt recorded on the row). */
export const WebhookDeliverJobSchema = z.object({ deliveryId: z.uuid() });
export type WebhookDeliverJob = z.infer<typeof WebhookDeliverJobSchema>;

/** Periodic: start the syncs + scans of instances whose schedule is due. */
export const ScheduleTickJobSchema = z.object({}).loose();

export const JOBS = {
  'registry.check': RegistryCheckJobSchema,
  'registry.sync': RegistrySyncJobSchema,
  'registry.push': RegistryPushJobSchema,
  'image.scan': ImageScanJobSchema,
  'schedule.tick': ScheduleTickJobSchema,
  'advisories.import': AdvisoryImportJobSchema,
  'webhook.deliver': WebhookDeliverJobSchema,
} as const;
export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]>;
