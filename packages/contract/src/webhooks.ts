import { z } from 'zod';
import { AccessScopeSchema } from './auth.ts';
import { itemsOf, pageOf } from './envelopes.ts';

/** What a webhook can be told about. */
export const WEBHOOK_EVENTS = [
  'scan.finished',
  'scan.failed',
  'finding.new_high',
  'sample.new_urgent',
  'advisories.imported',
  'kev.added',
] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** `json`: the versioned payload below; `slack`: `{ text }` for Slack-compatible incoming hooks. */
export const WebhookFormatSchema = z.enum(['json', 'slack']);

const webhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2048)
  .refine((u) => !new URL(u).username && !new URL(u).password, 'no credentials in the URL');

export const CreateWebhookSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    url: webhookUrl,
    /** HMAC key; generated (and shown once) when absent. */
    secret: z.string().min(16).max(256).optional(),
    /** Absent or empty: every event. */
    events: z.array(WebhookEventSchema).max(WEBHOOK_EVENTS.length).optional(),
    /** Only events about images of these instances or namespaces (none: every image). */
    scope: AccessScopeSchema.optional(),
    format: WebhookFormatSchema.default('json'),
    /** Send to loopback, link-local and private addresses (an administrator's explicit choice). */
    allowPrivate: z.boolean().default(false),
  })
  .strict();
export type CreateWebhook = z.infer<typeof CreateWebhookSchema>;

export const UpdateWebhookSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    url: webhookUrl.optional(),
    events: z.array(WebhookEventSchema).max(WEBHOOK_EVENTS.length).optional(),
    scope: AccessScopeSchema.optional(),
    format: WebhookFormatSchema.optional(),
    allowPrivate: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateWebhook = z.infer<typeof UpdateWebhookSchema>;

export const WebhookDeliveryStatusSchema = z.enum(['pending', 'retrying', 'succeeded', 'failed']);

export const WebhookDeliverySchema = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  event: z.string(),
  status: WebhookDeliveryStatusSchema,
  attempts: z.number().int(),
  responseCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The delivery this one sends again (re-delivered from the console or the API). */
  redeliveryOf: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  events: z.array(WebhookEventSchema),
  scope: z.object({ instanceIds: z.array(z.uuid()), namespaceIds: z.array(z.uuid()) }),
  format: WebhookFormatSchema,
  allowPrivate: z.boolean(),
  enabled: z.boolean(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  lastDelivery: WebhookDeliverySchema.nullable(),
});
export type Webhook = z.infer<typeof WebhookSchema>;
/** The answer to creating one: the signing secret, shown this once. */
export const WebhookCreatedSchema = WebhookSchema.extend({ secret: z.string() });
export const WebhookListSchema = itemsOf(WebhookSchema);
export const WebhookDeliveryPageSchema = pageOf(WebhookDeliverySchema);

// --- Payloads (what the receiver gets) ---------------------------------------------------------

export const WEBHOOK_PAYLOAD_VERSION = 1;

const ImageRef = z.object({
  id: z.uuid(),
  name: z.string(),
  digest: z.string(),
  registryId: z.uuid().nullable(),
  namespace: z.string().nullable(),
  repository: z.string().nullable(),
});
const Counts = z.object({ opened: z.number(), stillOpen: z.number(), resolved: z.number() });

export const WebhookDataSchemas = {
  'scan.finished': z.object({
    scanJobId: z.uuid(),
    image: ImageRef,
    findings: Counts,
    samples: Counts,
  }),
  'scan.failed': z.object({
    scanJobId: z.uuid(),
    target: z.string(),
    image: ImageRef.nullable(),
    reason: z.string(),
  }),
  'finding.new_high': z.object({
    scanJobId: z.uuid(),
    image: ImageRef,
    /** How many new high-priority findings (the list holds the first 100). */
    total: z.number().int(),
    findings: z.array(
      z.object({
        vulnerabilityId: z.string(),
        category: z.string().nullable(),
        package: z.string().nullable(),
        installedVersion: z.string().nullable(),
        path: z.string().nullable(),
      }),
    ),
  }),
  'sample.new_urgent': z.object({
    scanJobId: z.uuid(),
    image: ImageRef,
    total: z.number().int(),
    samples: z.array(
      z.object({ sha256: z.string(), path: z.string().nullable(), name: z.string() }),
    ),
  }),
  'advisories.imported': z.object({
    importId: z.uuid().nullable(),
    source: z.string(),
    added: z.number().int(),
    updated: z.number().int(),
    rematchScanId: z.uuid().nullable(),
  }),
  'kev.added': z.object({
    /** How many CVEs joined the Known Exploited catalog (the list holds the first 500). */
    total: z.number().int(),
    cves: z.array(z.string()),
  }),
  ping: z.object({ webhookId: z.uuid() }),
} as const;
export type WebhookData<E extends keyof typeof WebhookDataSchemas> = z.infer<
  (typeof WebhookDataSchemas)[E]
>;

/** The JSON body of every `json` delivery, versioned (`schemaVersion`). */
export const WebhookPayloadSchema = z.discriminatedUnion(
  'event',
  (Object.keys(WebhookDataSchemas) as (keyof typeof WebhookDataSchemas)[]).map((event) =>
    z.object({
      schemaVersion: z.literal(WEBHOOK_PAYLOAD_VERSION),
      /** The event's id (the same across re-deliveries). */
      id: z.uuid(),
      event: z.literal(event),
      createdAt: z.iso.datetime(),
      data: WebhookDataSchemas[event],
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
