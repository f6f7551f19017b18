import {
  ConfigError,
  parseEnv,
  type ServerConfig,
  ServerEnvSchema,
  serverConfig,
} from '@drydock/config';
import { z } from 'zod';

export { ConfigError };

/** Worker configuration; the only module of the worker that reads process.env. */
const ConfigSchema = ServerEnvSchema.extend({
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DRYDOCK_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(16 * 1024 ** 3),
  DRYDOCK_MAX_LAYERS: z.coerce.number().int().min(1).default(256),
  DRYDOCK_MAX_FILES: z.coerce.number().int().min(1).default(2_000_000),
  DRYDOCK_ANALYSIS_CACHE: z.enum(['on', 'off']).default('on'),
  DRYDOCK_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
});

export interface WorkerConfig extends ServerConfig {
  concurrency: number;
  limits: { maxImageBytes: number; maxLayers: number; maxFiles: number };
  superviseIntervalSeconds: number;
  analysisCache: boolean;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  const c = parseEnv(ConfigSchema, env);
  return Object.freeze({
    ...serverConfig(c),
    concurrency: c.WORKER_CONCURRENCY,
    limits: {
      maxImageBytes: c.DRYDOCK_MAX_IMAGE_BYTES,
      maxLayers: c.DRYDOCK_MAX_LAYERS,
      maxFiles: c.DRYDOCK_MAX_FILES,
    },
    superviseIntervalSeconds: c.DRYDOCK_SUPERVISE_SECONDS,
    analysisCache: c.DRYDOCK_ANALYSIS_CACHE === 'on',
  });
}
