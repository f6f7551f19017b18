import { advisoryMirrorRoots } from '@drydock/advisories';
import { z } from 'zod';

/** Worker configuration; the only module of the worker that reads process.env. */
const ConfigSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  DRYDOCK_SECRET_KEY: z
    .string({ error: 'is required (it decrypts registry credentials)' })
    .min(32, 'must be at least 32 characters'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DRYDOCK_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(16 * 1024 ** 3),
  DRYDOCK_MAX_LAYERS: z.coerce.number().int().min(1).default(256),
  DRYDOCK_MAX_FILES: z.coerce.number().int().min(1).default(2_000_000),
  DRYDOCK_REGISTRY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  DRYDOCK_ANALYSIS_CACHE: z.enum(['on', 'off']).default('on'),
  DRYDOCK_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  DRYDOCK_ADVISORY_MIRRORS: z.string().optional(),
  DRYDOCK_DATA_DIR: z.string().min(1).default('.drydock'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface WorkerConfig {
  databaseUrl: string;
  secretKey: string;
  concurrency: number;
  limits: { maxImageBytes: number; maxLayers: number; maxFiles: number };
  registryTimeoutMs: number;
  superviseIntervalSeconds: number;
  analysisCache: boolean;
  /** Folders an advisory import job may read (besides http(s) mirrors). */
  advisoryMirrors: string[];
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return Object.freeze({
    databaseUrl: c.DATABASE_URL,
    secretKey: c.DRYDOCK_SECRET_KEY,
    concurrency: c.WORKER_CONCURRENCY,
    limits: {
      maxImageBytes: c.DRYDOCK_MAX_IMAGE_BYTES,
      maxLayers: c.DRYDOCK_MAX_LAYERS,
      maxFiles: c.DRYDOCK_MAX_FILES,
    },
    registryTimeoutMs: c.DRYDOCK_REGISTRY_TIMEOUT_SECONDS * 1000,
    superviseIntervalSeconds: c.DRYDOCK_SUPERVISE_SECONDS,
    analysisCache: c.DRYDOCK_ANALYSIS_CACHE === 'on',
    advisoryMirrors: advisoryMirrorRoots(c.DRYDOCK_ADVISORY_MIRRORS, c.DRYDOCK_DATA_DIR),
    logLevel: c.LOG_LEVEL,
  });
}
