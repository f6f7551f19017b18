import { z } from 'zod';
import { itemsOf } from './envelopes.ts';

const counts = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
});

export const AdvisoryImportStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed']);

export const AdvisoryTotalsSchema = z.object({
  records: z.number().int(),
  knownExploited: z.number().int(),
  cveRecords: z.number().int(),
});
export type AdvisoryTotals = z.infer<typeof AdvisoryTotalsSchema>;

/**
 * Where a refresh reads: the OSV mirror (URL or folder), and for URL mirrors the CISA KEV
 * catalog and the CVE record service (`{id}` replaced by a CVE id); null: not fetched.
 */
export const AdvisoryFeedsSchema = z.object({
  source: z.string(),
  kev: z.string().nullable(),
  cve: z.string().nullable(),
});
export type AdvisoryFeeds = z.infer<typeof AdvisoryFeedsSchema>;

/** One import: what it read, how far it is (per ecosystem), how it ended and why. */
export const AdvisoryImportSchema = z.object({
  id: z.uuid(),
  source: z.string(),
  trigger: z.enum(['manual', 'schedule']),
  status: AdvisoryImportStatusSchema,
  /** Counts per ecosystem group so far ("Debian", "npm"…). */
  ecosystems: z.record(z.string(), counts),
  /** The part being read while running ("Ubuntu", "saving"). */
  current: z.string().nullable(),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
  requestedBy: z.string().nullable(),
  /** The re-match of every scanned image this import started, when advisories changed. */
  rematchScanId: z.uuid().nullable(),
  /** Entries of the CISA KEV catalog read, and CVE List records fetched (null: not part of it). */
  knownExploited: z.number().int().nullable(),
  cveRecords: z.number().int().nullable(),
  /** What the database held when the import finished. */
  totals: AdvisoryTotalsSchema.nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type AdvisoryImport = z.infer<typeof AdvisoryImportSchema>;
export const AdvisoryImportListSchema = itemsOf(AdvisoryImportSchema);
export const AdvisoryImportAcceptedSchema = z.object({ jobId: z.string(), importId: z.uuid() });

export const AdvisoryStatusSchema = z.object({
  advisories: z.number().int(),
  ecosystems: z.array(z.object({ ecosystem: z.string(), packages: z.number().int() })),
  knownExploited: z.number().int(),
  /** When the last import finished successfully (the database is as new as that). */
  lastImportAt: z.iso.datetime().nullable(),
  /** The newest import, whatever its state (running, failed…). */
  latestImport: AdvisoryImportSchema.nullable(),
  /** Scheduled refresh: the source and the interval in hours; null when off (air-gapped). */
  refresh: AdvisoryFeedsSchema.extend({ everyHours: z.number() }).nullable(),
  /** What "refresh now" (an import without a source) reads; null when none is configured. */
  feeds: AdvisoryFeedsSchema.nullable(),
});
export type AdvisoryStatus = z.infer<typeof AdvisoryStatusSchema>;

/**
 * Import from an OSV mirror folder/zip/file on the server, or an OSV mirror URL. Without a
 * source: the configured refresh feeds (OSV, KEV and CVE records), now.
 */
export const AdvisoryImportRequestSchema = z
  .object({ source: z.string().trim().min(1).max(1000).optional() })
  .strict();
export type AdvisoryImportRequest = z.input<typeof AdvisoryImportRequestSchema>;

export const TrendQuerySchema = z
  .object({ days: z.coerce.number().int().min(2).max(365).default(30) })
  .strict();

/** Findings present (not resolved) at the end of each day, by priority (both vulnerability tabs). */
export const TrendSchema = z.object({
  days: z.array(
    z.object({
      day: z.iso.date(),
      high: z.number().int(),
      medium: z.number().int(),
      low: z.number().int(),
    }),
  ),
});
export type Trend = z.infer<typeof TrendSchema>;
