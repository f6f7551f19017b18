import { randomUUID } from 'node:crypto';
import { JOBS, type JobName, type JobPayload } from '@drydock/contract';
import { PgBoss } from 'pg-boss';
import { poolConfigFromUrl } from './pool-config.ts';

export interface Queue {
  boss: PgBoss;
  /** Validates the payload against the shared contract, then enqueues it. Returns the job id. */
  send<N extends JobName>(name: N, payload: JobPayload<N>): Promise<string>;
  /** Enqueues many jobs of one queue in one statement; returns their ids in order. */
  sendMany<N extends JobName>(name: N, payloads: JobPayload<N>[]): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Retries and liveness per queue. Image scans send heartbeats: a worker killed mid-scan stops
 * them, and within about 10 s plus one supervise pass the job is failed and retried elsewhere.
 */
const QUEUE_POLICY: Record<'default', Record<string, unknown>> &
  Partial<Record<JobName, Record<string, unknown>>> = {
  default: { retryLimit: 3, retryDelay: 5, retryBackoff: true },
  'image.scan': { retryLimit: 3, retryDelay: 2, heartbeatSeconds: 10, expireInSeconds: 4 * 3600 },
  'schedule.tick': { retryLimit: 0 },
  // 6 attempts over about a minute (2, 4, 8, 16, 32 s); each recorded on its delivery row.
  'webhook.deliver': { retryLimit: 5, retryDelay: 2, retryBackoff: true },
};

/**
 * Starts a pg-boss instance on the application database (its own `pgboss` schema) and makes sure
 * every queue in the contract exists. Producers (API) and consumers (workers) both use it.
 */
export async function startQueue(
  databaseUrl: string,
  options: {
    onError?: (error: Error) => void;
    /** How often this process looks for jobs whose worker died (missed heartbeats). Default 10 s. */
    superviseIntervalSeconds?: number;
  } = {},
): Promise<Queue> {
  const pool = poolConfigFromUrl(databaseUrl);
  const boss = new PgBoss({
    host: pool.host,
    port: pool.port,
    user: pool.user,
    password: typeof pool.password === 'string' ? pool.password : undefined,
    database: pool.database,
    ssl: pool.ssl,
    application_name: 'drydock',
    max: 4,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 10,
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 10,
  });
  boss.on('error', (error: Error) => options.onError?.(error));
  await boss.start();
  for (const name of Object.keys(JOBS) as JobName[]) {
    const policy = { ...QUEUE_POLICY.default, ...QUEUE_POLICY[name] };
    await boss.createQueue(name, policy);
    await boss.updateQueue(name, policy);
  }
  return {
    boss,
    async send(name, payload) {
      const data = JOBS[name].parse(payload);
      const id = await boss.send(name, data);
      if (!id) throw new Error(`pg-boss refused job ${name}`);
      return id;
    },
    async sendMany(name, payloads) {
      if (payloads.length === 0) return [];
      const jobs = payloads.map((p) => ({ id: randomUUID(), data: JOBS[name].parse(p) }));
      await boss.insert(name, jobs);
      return jobs.map((j) => j.id);
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
