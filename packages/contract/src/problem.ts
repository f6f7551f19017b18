import { z } from 'zod';

/**
 * RFC 9457 problem details, the body of every 4xx/5xx response (`application/problem+json`).
 * `code` is a stable machine-readable identifier; `requestId` ties the response to the server log.
 */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('Per-field validation errors'),
});
export type Problem = z.infer<typeof ProblemSchema>;
