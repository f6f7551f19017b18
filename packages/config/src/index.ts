import path from 'node:path';
import { advisoryMirrorRoots, PUBLIC_CVE_SERVICE, PUBLIC_KEV_FEED } from '@drydock/advisories';
import type { AdvisoryFeeds } from '@drydock/contract';
import { z } from 'zod';

/** The public OSV bucket: `<base>/<Ecosystem>/all.zip` for every ecosystem. */
export const DEFAULT_ADVISORY_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com';

/**
 * The variables every server process reads (API and worker alike), defined once. Each app extends
 * this schema with its own variables and parses the environment with `parseEnv`; nothing else
 * reads process.env.
 */
export const ServerEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (the launcher sets it to the embedded database when unset)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  DRYDOCK_SECRET_KEY: z
    .string({ error: 'is required: a random string of at least 32 characters' })
    .min(32, 'must be at least 32 characters'),
  DRYDOCK_DATA_DIR: z.string().min(1).default('.drydock'),
  DRYDOCK_REGISTRY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  DRYDOCK_ADVISORY_MIRRORS: z.string().optional(),
  /** Where scheduled advisory refreshes read: an OSV mirror URL, or a mirror folder. */
  DRYDOCK_ADVISORY_SOURCE: z.string().trim().min(1).default(DEFAULT_ADVISORY_SOURCE),
  /**
   * The CISA KEV catalog and the CVE record service (`{id}`) a refresh from an OSV mirror URL
   * reads too (default: the public ones; `off` for none). A mirror folder carries kev/ and nvd/.
   */
  DRYDOCK_ADVISORY_KEV: z.string().trim().min(1).optional(),
  DRYDOCK_ADVISORY_CVE: z
    .string()
    .trim()
    .min(1)
    .refine((v) => v === 'off' || v.includes('{id}'), 'a URL with {id} (the CVE id), or `off`')
    .optional(),
  /** How often advisories are refreshed from DRYDOCK_ADVISORY_SOURCE: `24h`, `90m`, or `off`. */
  DRYDOCK_ADVISORY_REFRESH: z
    .string()
    .trim()
    .default('24h')
    .transform((v, ctx) => {
      if (v === 'off' || v === '0') return null;
      const m = /^(\d+(?:\.\d+)?)\s*(h|m)$/.exec(v);
      const hours = m ? Number(m[1]) / (m[2] === 'm' ? 60 : 1) : Number.NaN;
      if (!(hours >= 1 / 12)) {
        ctx.addIssue({
          code: 'custom',
          message: 'a duration of at least 5m (`24h`, `90m`) or `off`',
        });
        return z.NEVER;
      }
      return hours;
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type LogLevel = z.infer<typeof ServerEnvSchema>['LOG_LEVEL'];

/** A configuration that does not parse: one line per variable that is wrong. */
export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment with an app's schema; every wrong variable is named at once. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}

export interface ServerConfig {
  databaseUrl: string;
  secretKey: string;
  /** Embedded database, caches, setup token (absolute). */
  dataDir: string;
  registryTimeoutMs: number;
  /** Folders an advisory import may read (besides http(s) mirrors). */
  advisoryMirrors: string[];
  /** Where advisories are refreshed from (scheduled, or "refresh now"). */
  advisoryFeeds: AdvisoryFeeds;
  /** Scheduled refresh of the advisory database; null when off (air-gapped installs). */
  advisoryRefresh: (AdvisoryFeeds & { everyHours: number }) | null;
  logLevel: LogLevel;
}

/** The shared part of an app's configuration, from its parsed environment. */
export function serverConfig(env: z.infer<typeof ServerEnvSchema>): ServerConfig {
  return {
    databaseUrl: env.DATABASE_URL,
    secretKey: env.DRYDOCK_SECRET_KEY,
    dataDir: path.resolve(env.DRYDOCK_DATA_DIR),
    registryTimeoutMs: env.DRYDOCK_REGISTRY_TIMEOUT_SECONDS * 1000,
    advisoryMirrors: advisoryMirrorRoots(env.DRYDOCK_ADVISORY_MIRRORS, env.DRYDOCK_DATA_DIR),
    advisoryFeeds: advisoryFeeds(env),
    advisoryRefresh:
      env.DRYDOCK_ADVISORY_REFRESH === null
        ? null
        : {
            ...advisoryFeeds(env),
            everyHours: env.DRYDOCK_ADVISORY_REFRESH,
          },
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * Where a refresh reads. An OSV mirror URL comes with the public KEV feed and CVE record service
 * unless told otherwise; a mirror folder (air-gapped) reads its own kev/ and nvd/ folders, and
 * online feeds only when they are named.
 */
export function advisoryFeeds(
  env: Pick<
    z.infer<typeof ServerEnvSchema>,
    'DRYDOCK_ADVISORY_SOURCE' | 'DRYDOCK_ADVISORY_KEV' | 'DRYDOCK_ADVISORY_CVE'
  >,
): AdvisoryFeeds {
  const online = /^https?:\/\//i.test(env.DRYDOCK_ADVISORY_SOURCE);
  const feed = (value: string | undefined, fallback: string) =>
    value === 'off' ? null : (value ?? (online ? fallback : null));
  return {
    source: env.DRYDOCK_ADVISORY_SOURCE,
    kev: feed(env.DRYDOCK_ADVISORY_KEV, PUBLIC_KEV_FEED),
    cve: feed(env.DRYDOCK_ADVISORY_CVE, PUBLIC_CVE_SERVICE),
  };
}
