import { z } from 'zod';

export const AdvisoryStatusSchema = z.object({
  advisories: z.number().int(),
  ecosystems: z.array(z.object({ ecosystem: z.string(), packages: z.number().int() })),
  knownExploited: z.number().int(),
  lastImportAt: z.iso.datetime().nullable(),
});
export type AdvisoryStatus = z.infer<typeof AdvisoryStatusSchema>;

/** Import from an OSV mirror folder/zip/file on the server, or an OSV mirror URL. */
export const AdvisoryImportRequestSchema = z
  .object({ source: z.string().trim().min(1).max(1000) })
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
