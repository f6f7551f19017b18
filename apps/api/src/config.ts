import { isIP } from 'node:net';
import {
  ConfigError,
  parseEnv,
  type ServerConfig,
  ServerEnvSchema,
  serverConfig,
} from '@drydock/config';
import { z } from 'zod';
import { type OidcConfig, parseOidcRules } from './modules/sso/oidc-config.ts';

export { ConfigError };

/**
 * The API's configuration, parsed once from the environment. This is the only module that reads
 * process.env. There are no default secrets: DRYDOCK_SECRET_KEY must be given (the `pnpm start`
 * launcher generates one per installation and keeps it in the data directory).
 */
const ConfigSchema = ServerEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DRYDOCK_WEB_DIST: z.string().optional(),
  DRYDOCK_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(8 * 1024 ** 3),
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
  // Single sign-on (OpenID Connect): on when an issuer is set.
  DRYDOCK_OIDC_ISSUER: z.url().optional(),
  DRYDOCK_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DRYDOCK_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  DRYDOCK_OIDC_REDIRECT_URL: z.url().optional(),
  DRYDOCK_OIDC_SCOPES: z.string().default('openid profile email'),
  DRYDOCK_OIDC_LABEL: z.string().min(1).default('single sign-on'),
  DRYDOCK_OIDC_ROLES: z.string().optional(),
}).transform((c, ctx) => {
  if (!c.DRYDOCK_OIDC_ISSUER) return { ...c, oidc: undefined };
  if (!c.DRYDOCK_OIDC_CLIENT_ID) {
    ctx.addIssue({
      code: 'custom',
      path: ['DRYDOCK_OIDC_CLIENT_ID'],
      message: 'required with DRYDOCK_OIDC_ISSUER',
    });
    return z.NEVER;
  }
  let rules: OidcConfig['rules'];
  try {
    rules = parseOidcRules(c.DRYDOCK_OIDC_ROLES ?? '');
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: ['DRYDOCK_OIDC_ROLES'],
      message: (error as Error).message,
    });
    return z.NEVER;
  }
  const oidc: OidcConfig = {
    issuer: c.DRYDOCK_OIDC_ISSUER,
    clientId: c.DRYDOCK_OIDC_CLIENT_ID,
    ...(c.DRYDOCK_OIDC_CLIENT_SECRET ? { clientSecret: c.DRYDOCK_OIDC_CLIENT_SECRET } : {}),
    ...(c.DRYDOCK_OIDC_REDIRECT_URL ? { redirectUrl: c.DRYDOCK_OIDC_REDIRECT_URL } : {}),
    scopes: c.DRYDOCK_OIDC_SCOPES,
    label: c.DRYDOCK_OIDC_LABEL,
    rules,
  };
  return { ...c, oidc };
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

export interface Config extends ServerConfig {
  port: number;
  host: string;
  /** Folder of the built console; served at `/` when it exists. */
  webDist: string | undefined;
  /** Largest image tarball `POST /api/v1/scans/upload` takes. */
  maxUploadBytes: number;
  /** API requests per minute per token, session or address. */
  rateLimitPerMinute: number;
  /** Behind TLS-terminating proxies: which X-Forwarded-* to believe (client address, https). */
  trustProxy: TrustProxy;
  /** Single sign-on, when configured. */
  oidc: OidcConfig | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const c = parseEnv(ConfigSchema, env);
  return Object.freeze({
    ...serverConfig(c),
    port: c.PORT,
    host: c.HOST,
    webDist: c.DRYDOCK_WEB_DIST,
    maxUploadBytes: c.DRYDOCK_MAX_UPLOAD_BYTES,
    rateLimitPerMinute: c.DRYDOCK_RATE_LIMIT,
    trustProxy: c.DRYDOCK_TRUST_PROXY,
    oidc: c.oidc,
  });
}
