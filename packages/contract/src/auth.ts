import { z } from 'zod';
import { itemsOf, pageOf } from './envelopes.ts';
import { TriageEventSchema } from './findings-api.ts';

export const RoleSchema = z.enum(['admin', 'analyst', 'viewer', 'auditor']);
export type Role = z.infer<typeof RoleSchema>;

/**
 * What a route needs. read: findings, images, scans, registries; scan: Scan Now, sync, uploads,
 * CLI reports; triage: ignore/handle; audit: the triage log (within one's scope); security: the
 * security log; admin: accounts, registries, advisory imports, webhooks; metrics: the Prometheus
 * scrape endpoint (fleet-wide counts); self: one's own session and tokens.
 */
export const PermissionSchema = z.enum([
  'read',
  'scan',
  'triage',
  'audit',
  'security',
  'admin',
  'metrics',
  'self',
]);
export type Permission = z.infer<typeof PermissionSchema>;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['read', 'scan', 'triage', 'audit', 'security', 'admin', 'metrics', 'self'],
  analyst: ['read', 'scan', 'triage', 'self'],
  viewer: ['read', 'self'],
  auditor: ['read', 'audit', 'security', 'metrics', 'self'],
};

/**
 * Permissions that concern every registry instance and account (user management, registries,
 * advisory imports, the security log): an account scoped to some instances or namespaces never
 * holds them, whatever its role.
 */
export const GLOBAL_PERMISSIONS: readonly Permission[] = ['admin', 'security', 'metrics'];

/** What a role holds, less the global permissions when the principal is scoped. */
export function permissionsOf(role: Role, scoped: boolean): Permission[] {
  return ROLE_PERMISSIONS[role].filter((p) => !scoped || !GLOBAL_PERMISSIONS.includes(p));
}

const username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and ._@- only');
/** Shortest password accepted; no composition rules (NIST SP 800-63B). */
export const PASSWORD_MIN_LENGTH = 12;
const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256);
const ids = z.array(z.uuid()).max(200);

/** Which images a user or token sees: none listed = every image. */
export const AccessScopeSchema = z.object({
  instanceIds: ids.default([]),
  namespaceIds: ids.default([]),
});
export type AccessScope = z.infer<typeof AccessScopeSchema>;

export const LoginRequestSchema = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
  .strict();
export type LoginRequest = z.input<typeof LoginRequestSchema>;

export const SetupRequestSchema = z
  .object({ token: z.string().min(16).max(200), username, password })
  .strict();
export type SetupRequest = z.input<typeof SetupRequestSchema>;

export const SetupStatusSchema = z.object({ needed: z.boolean() });

export const UserSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  role: RoleSchema,
  instanceIds: z.array(z.uuid()),
  namespaceIds: z.array(z.uuid()),
  disabled: z.boolean(),
  /** Signs in at the identity provider (single sign-on), which also decides role and scope. */
  sso: z.boolean().default(false),
  lastLoginAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type User = z.infer<typeof UserSchema>;

export const SessionInfoSchema = z.object({
  user: UserSchema,
  /** Send back as `x-csrf-token` on every state-changing request made with the session cookie. */
  csrfToken: z.string(),
  permissions: z.array(PermissionSchema),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const CreateUserSchema = z
  .object({
    username,
    password,
    role: RoleSchema,
    instanceIds: ids.default([]),
    namespaceIds: ids.default([]),
  })
  .strict();
export type CreateUser = z.input<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .object({
    password: password.optional(),
    role: RoleSchema.optional(),
    instanceIds: ids.optional(),
    namespaceIds: ids.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateUser = z.input<typeof UpdateUserSchema>;

export const ApiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  role: RoleSchema,
  instanceIds: z.array(z.uuid()),
  namespaceIds: z.array(z.uuid()),
  owner: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const CreateApiTokenSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: RoleSchema,
    instanceIds: ids.default([]),
    namespaceIds: ids.default([]),
    expiresAt: z.iso.datetime().optional(),
  })
  .strict();
export type CreateApiToken = z.input<typeof CreateApiTokenSchema>;

/** The token itself is shown once, at creation. */
export const ApiTokenCreatedSchema = ApiTokenSchema.extend({ token: z.string() });

/** A signed-in user changes their own password (the current one proves it is them). */
export const ChangePasswordSchema = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: password })
  .strict()
  .refine((v) => v.currentPassword !== v.newPassword, {
    message: 'the new password must differ from the current one',
    path: ['newPassword'],
  });
export type ChangePassword = z.input<typeof ChangePasswordSchema>;

export const SecurityOutcomeSchema = z.enum(['success', 'failure', 'denied']);

/** Every action the security log records: the one list writers and filters use. */
export const SecurityActionSchema = z.enum([
  'setup',
  'login',
  'logout',
  'password.change',
  'user.create',
  'user.update',
  'token.create',
  'token.revoke',
  'token.rejected',
  'access',
  'registry.create',
  'registry.update',
  'registry.delete',
  'registry.events',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'advisories.import',
]);
export type SecurityAction = z.infer<typeof SecurityActionSchema>;

export const SecurityEventSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  outcome: SecurityOutcomeSchema,
  target: z.string().nullable(),
  ip: z.string().nullable(),
  /** What changed (role, scope, "password: changed"…); never a secret. */
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;

const logPage = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};
const logText = z.string().trim().min(1).max(100);

/** Filters of the security log: who (substring), what (action prefix: `user.`, `login`), outcome, when. */
export const SecurityLogQuerySchema = z
  .object({
    ...logPage,
    actor: logText.optional(),
    action: logText.optional(),
    outcome: SecurityOutcomeSchema.optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
  })
  .strict();
export type SecurityLogQuery = z.infer<typeof SecurityLogQuerySchema>;

/** One triage decision in the auditor's log: what it applied to (vulnerability or sample id). */
export const TriageLogEntrySchema = TriageEventSchema.extend({
  kind: z.string(),
  targetId: z.string(),
});
export type TriageLogEntry = z.infer<typeof TriageLogEntrySchema>;

/** The same filters as the security log, without outcome (triage decisions have none). */
export const TriageLogQuerySchema = SecurityLogQuerySchema.omit({ outcome: true });
export type TriageLogQuery = z.infer<typeof TriageLogQuerySchema>;

export const UserListSchema = itemsOf(UserSchema);
export const ApiTokenListSchema = itemsOf(ApiTokenSchema);
export const SecurityLogPageSchema = pageOf(SecurityEventSchema);
export const TriageLogPageSchema = pageOf(TriageLogEntrySchema);

/** Whether single sign-on (OpenID Connect) is on; the sign-in page offers it under `label`. */
export const SsoStatusSchema = z.object({ enabled: z.boolean(), label: z.string().nullable() });
export type SsoStatus = z.infer<typeof SsoStatusSchema>;

/** Why a single sign-on was refused (`/?sso_error=<code>`), as the sign-in page says it. */
export const SSO_ERRORS: Record<string, string> = {
  sso_no_role:
    'You signed in at the identity provider, but none of your groups has a Drydock role. Ask an administrator.',
  sso_disabled: 'This account is disabled.',
  sso_expired: 'That sign-in was not started here or took too long. Try again.',
  sso_failed: "The identity provider's answer could not be verified. Try again.",
  sso_unavailable: 'The identity provider cannot be reached right now.',
  sso_scope_unknown:
    'Your role names registries or namespaces that do not exist here. Ask an administrator.',
};
