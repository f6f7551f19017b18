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
  createdAt: z.iso.datetime(),
});
export type Registry = z.infer<typeof RegistrySchema>;

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
