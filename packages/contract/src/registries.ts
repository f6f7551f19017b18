import { z } from 'zod';
import { itemsOf } from './envelopes.ts';

const name = z.string().trim().min(1).max(100);
const registryUrl = z
  .string()
  .trim()
  .max(500)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username
      );
    } catch {
      return false;
    }
  }, 'an http(s) URL without credentials, query or fragment, e.g. https://registry.example.com');
const repositoryPath = z
  .string()
  .regex(
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'a repository path like team/app',
  );

/** Credentials are write-only: given on create/update, never returned. */
export const RegistryCredentialsSchema = z
  .object({
    username: z.string().min(1).max(200),
    password: z.string().min(1).max(4096),
  })
  .strict();

export const CreateRegistrySchema = z
  .object({
    name,
    url: registryUrl,
    credentials: RegistryCredentialsSchema.optional(),
    repositories: z.array(repositoryPath).max(1000).default([]),
    scanIntervalMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .nullable()
      .default(null),
  })
  .strict();
export type CreateRegistry = z.infer<typeof CreateRegistrySchema>;

/** Partial update; `credentials: null` removes them. */
export const UpdateRegistrySchema = z
  .object({
    name: name.optional(),
    url: registryUrl.optional(),
    credentials: RegistryCredentialsSchema.nullable().optional(),
    repositories: z.array(repositoryPath).max(1000).optional(),
    scanIntervalMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .nullable()
      .optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateRegistry = z.infer<typeof UpdateRegistrySchema>;

export const RegistrySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  username: z.string().nullable(),
  hasCredentials: z.boolean(),
  repositories: z.array(z.string()),
  scanIntervalMinutes: z.number().int().nullable(),
  nextScheduledAt: z.iso.datetime().nullable(),
  lastCheckAt: z.iso.datetime().nullable(),
  lastCheckOk: z.boolean().nullable(),
  lastCheckError: z.string().nullable(),
  lastSyncAt: z.iso.datetime().nullable(),
  lastSyncError: z.string().nullable(),
  imageCount: z.number().int(),
  /** Push events are accepted (a secret is set), and when the last one arrived. */
  eventsEnabled: z.boolean(),
  lastEventAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type Registry = z.infer<typeof RegistrySchema>;

/** A new push-event secret: shown once; the registry sends it with every notification. */
export const RegistryEventSecretSchema = z.object({
  secret: z.string(),
  /** The endpoint the registry notifies (on this server, as the request reached it). */
  url: z.string(),
  /** The `notifications` section of a Docker Distribution (registry:2) config that uses it. */
  distributionConfig: z.string(),
});
export type RegistryEventSecret = z.infer<typeof RegistryEventSecretSchema>;

/**
 * Push notifications: Docker Distribution's envelope (`{ events: [...] }`, also GitLab's
 * container registry) and Harbor's webhook (`{ type: PUSH_ARTIFACT, event_data }`). Only what
 * Drydock reads is described; the rest passes through.
 */
export const DistributionEventsSchema = z.object({
  events: z
    .array(
      z.looseObject({
        action: z.string().optional(),
        target: z
          .looseObject({
            mediaType: z.string().optional(),
            digest: z.string().optional(),
            repository: z.string().optional(),
            tag: z.string().optional(),
          })
          .optional(),
      }),
    )
    .max(10_000),
});
export const HarborEventSchema = z.object({
  type: z.string(),
  event_data: z.looseObject({
    resources: z
      .array(z.looseObject({ digest: z.string().optional(), tag: z.string().optional() }))
      .max(10_000)
      .optional(),
    repository: z.looseObject({ repo_full_name: z.string().optional() }).optional(),
  }),
});

export const RegistryEventsAcceptedSchema = z.object({
  /** Pushes queued for a scan (one per repository and digest). */
  queued: z.number().int(),
  /** Events that were not tag pushes of manifests (blob pushes, pulls, deletes…). */
  ignored: z.number().int(),
});
export type RegistryEventsAccepted = z.infer<typeof RegistryEventsAcceptedSchema>;

/** A namespace (repository path prefix, "" for top-level repositories) of a registry instance. */
export const NamespaceSchema = z.object({
  id: z.uuid(),
  instanceId: z.uuid(),
  name: z.string(),
  repositories: z.number().int(),
  images: z.number().int(),
});
export type Namespace = z.infer<typeof NamespaceSchema>;

export const RegistryTestResultSchema = z.object({
  ok: z.boolean(),
  auth: z.enum(['none', 'basic', 'bearer']).nullable(),
  error: z.string().nullable(),
  code: z.string().nullable(),
});
export type RegistryTestResult = z.infer<typeof RegistryTestResultSchema>;

export const RegistrySyncResultSchema = z.object({
  repositories: z.number().int(),
  images: z.number().int(),
  added: z.number().int(),
  gone: z.number().int(),
  problems: z.array(
    z.object({ path: z.string(), tag: z.string().optional(), message: z.string() }),
  ),
});
export type RegistrySyncResult = z.infer<typeof RegistrySyncResultSchema>;

export const RegistryListSchema = itemsOf(RegistrySchema);
export const NamespaceListSchema = itemsOf(NamespaceSchema);
