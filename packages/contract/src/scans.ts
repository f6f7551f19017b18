import { z } from 'zod';
import { pageOf } from './envelopes.ts';
import { AdvisoryDbUsedSchema, ScanWarningSchema } from './scan-report.ts';

/** What a Scan Now covers. */
export const ScanScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('instance'), instanceId: z.uuid() }).strict(),
  z.object({ kind: z.literal('repository'), repositoryId: z.uuid() }).strict(),
  z.object({ kind: z.literal('images'), imageIds: z.array(z.uuid()).min(1).max(1000) }).strict(),
]);
export type ScanScope = z.infer<typeof ScanScopeSchema>;

export const CreateScanSchema = z.object({ scope: ScanScopeSchema }).strict();
export type CreateScan = z.infer<typeof CreateScanSchema>;

export const ScanItemStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type ScanItemStatus = z.infer<typeof ScanItemStatusSchema>;

export const ScanProgressSchema = z.object({
  phase: z.enum(['queued', 'pull', 'analyze', 'match', 'store', 'done']),
  layer: z.number().int().optional(),
  layers: z.number().int().optional(),
  bytes: z.number().int().optional(),
});
export type ScanJobProgress = z.infer<typeof ScanProgressSchema>;

const counts = z.object({
  opened: z.number().int(),
  stillOpen: z.number().int(),
  resolved: z.number().int(),
});
export const ScanJobResultSchema = z.object({ findings: counts, samples: counts });

export const ScanJobSchema = z.object({
  id: z.uuid(),
  imageId: z.uuid().nullable(),
  kind: z.enum(['registry', 'upload', 'rematch', 'sbom']),
  target: z.string(),
  status: ScanItemStatusSchema,
  reason: z.string().nullable(),
  attempts: z.number().int(),
  /** host:pid of the worker process of the latest attempt. */
  worker: z.string().nullable(),
  progress: ScanProgressSchema.nullable(),
  cacheHit: z.boolean().nullable(),
  bytesPulled: z.number().int().nullable(),
  result: ScanJobResultSchema.nullable(),
  /** The advisory database this image was matched against (null until it was). */
  advisoryDb: AdvisoryDbUsedSchema.nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ScanJobView = z.infer<typeof ScanJobSchema>;

export const ScanSchema = z.object({
  id: z.uuid(),
  scope: z.record(z.string(), z.unknown()),
  trigger: z.enum(['manual', 'schedule', 'advisories', 'upload', 'cli', 'sbom', 'push']),
  requestedBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  /** queued/running until every image is done; then succeeded, or failed when any image failed. */
  status: ScanItemStatusSchema,
  counts: z.object({
    total: z.number().int(),
    queued: z.number().int(),
    running: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  /** Done images / total, 0–100. */
  progress: z.number().min(0).max(100),
  items: z.array(ScanJobSchema),
});
export type Scan = z.infer<typeof ScanSchema>;

export const ScanCreatedSchema = z.object({
  id: z.uuid(),
  images: z.number().int(),
  /** Images already queued or running for an earlier request, joined instead of queued again. */
  joined: z.number().int(),
});
export type ScanCreated = z.infer<typeof ScanCreatedSchema>;

export const ListScansQuerySchema = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const ScanSummarySchema = ScanSchema.omit({ items: true });
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const ScanPageSchema = pageOf(ScanSummarySchema);
export type ScanPage = z.infer<typeof ScanPageSchema>;

/** A retry: how many failed images were queued again, how many joined a scan already queued. */
export const ScanRetriedSchema = z.object({ retried: z.number().int(), joined: z.number().int() });
export type ScanRetried = z.infer<typeof ScanRetriedSchema>;

/** `drydock scan --server URL --token T` pushes its report here; it lands like any other scan. */
export const ReportPushQuerySchema = z
  .object({ name: z.string().trim().min(1).max(200).optional() })
  .strict();
export const ReportPushedSchema = z.object({
  scanId: z.uuid(),
  imageId: z.uuid(),
  url: z.string(),
  findings: z.object({
    opened: z.number().int(),
    stillOpen: z.number().int(),
    resolved: z.number().int(),
  }),
  samples: z.object({
    opened: z.number().int(),
    stillOpen: z.number().int(),
    resolved: z.number().int(),
  }),
});
export type ReportPushed = z.infer<typeof ReportPushedSchema>;

/** An SBOM read and matched (`POST /api/v1/sboms`): stored like a scan, with what was read. */
export const SbomImportedSchema = ReportPushedSchema.extend({
  format: z.enum(['cyclonedx', 'spdx']),
  /** The tool that wrote the document, as it says. */
  tool: z.string().nullable(),
  packages: z.number().int(),
  /** What could not be read (packages of unknown ecosystems, components without a purl…). */
  warnings: z.array(ScanWarningSchema),
});
export type SbomImported = z.infer<typeof SbomImportedSchema>;
