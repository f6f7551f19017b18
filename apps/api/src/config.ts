import { isIP } from 'node:net';
import path from 'node:path';
import { advisoryMirrorRoots } from '@drydock/advisories';
import { z } from 'zod';

/**
 * The API's configuration, parsed once from the environment. This is the only module that reads
 * process.env. There are no default secrets: DRYDOCK_SECRET_KEY must be given (the `pnpm start`
 * launcher generates one per installation and keeps it in the data directory).
 */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string({ error: 'is required (the launcher sets it to the embedded database when unset)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  DRYDOCK_SECRET_KEY: z
    .string({ error: 'is required: a random string of at least 32 characters' })
    .min(32, 'must be at least 32 characters'),
  DRYDOCK_WEB_DIST: z.string().optional(),
  DRYDOCK_DATA_DIR: z.string().min(1).default('.drydock'),
  DRYDOCK_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(8 * 1024 ** 3),
  DRYDOCK_REGISTRY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  DRYDOCK_RATE_LIMIT: z.coerce.number().int().min(10).default(1200),
  DRYDOCK_TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((v, ctx): TrustProxy => {
      if (v === '' || v === 'false' || v === '0') return false;
      if (/^\d+$/.test(v)) return Math.min(Number(v), 10);
      const list = v.split(',').map((a) => a.trim());
      const bad = list.filter((a) => !isAddressOrCidr(a));
      if (v === 'true' || bad.length) {
        ctx.addIssue({
          code: 'custom',
          message:
            v === 'true'
              ? '`true` would believe any X-Forwarded-For: give the number of proxies in front of the API (e.g. 1) or their addresses (10.0.0.5,10.0.1.0/24)'
              : `not an address or CIDR range: ${bad.join(', ')}`,
        });
        return z.NEVER;
      }
      return list;
    }),
  DRYDOCK_ADVISORY_MIRRORS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** false, the number of proxy hops in front of the API, or the proxies' addresses / CIDRs. */
export type TrustProxy = false | number | string[];

function isAddressOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  secretKey: string;
  /** Folder of the built console; served at `/` when it exists. */
  webDist: string | undefined;
  /** Where uploaded image tarballs wait for a worker (shared with the workers). */
  maxUploadBytes: number;
  registryTimeoutMs: number;
  /** API requests per minute per token, session or address. */
  rateLimitPerMinute: number;
  /** Behind TLS-terminating proxies: which X-Forwarded-* to believe (client address, https). */
  trustProxy: TrustProxy;
  /** Folders an advisory import may read (besides http(s) mirrors). */
  advisoryMirrors: string[];
  dataDir: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    secretKey: c.DRYDOCK_SECRET_KEY,
    webDist: c.DRYDOCK_WEB_DIST,
    maxUploadBytes: c.DRYDOCK_MAX_UPLOAD_BYTES,
    registryTimeoutMs: c.DRYDOCK_REGISTRY_TIMEOUT_SECONDS * 1000,
    rateLimitPerMinute: c.DRYDOCK_RATE_LIMIT,
    trustProxy: c.DRYDOCK_TRUST_PROXY,
    advisoryMirrors: advisoryMirrorRoots(c.DRYDOCK_ADVISORY_MIRRORS, c.DRYDOCK_DATA_DIR),
    dataDir: path.resolve(c.DRYDOCK_DATA_DIR),
    logLevel: c.LOG_LEVEL,
  });
}
