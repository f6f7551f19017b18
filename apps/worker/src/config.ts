import { z } from 'zod';

/** Worker configuration; the only module of the worker that reads process.env. */
const ConfigSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface WorkerConfig {
  databaseUrl: string;
  concurrency: number;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({
    databaseUrl: parsed.data.DATABASE_URL,
    concurrency: parsed.data.WORKER_CONCURRENCY,
    logLevel: parsed.data.LOG_LEVEL,
  });
}
