import { JOBS, type JobName, type JobPayload } from '@drydock/contract';
import { PgBoss } from 'pg-boss';
import { poolConfigFromUrl } from './pool-config.ts';

export interface Queue {
  boss: PgBoss;
  /** Validates the payload against the shared contract, then enqueues it. Returns the job id. */
  send<N extends JobName>(name: N, payload: JobPayload<N>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a pg-boss instance on the application database (its own `pgboss` schema) and makes sure
 * every queue in the contract exists. Producers (API) and consumers (workers) both use it.
 */
export async function startQueue(
  databaseUrl: string,
  options: { onError?: (error: Error) => void } = {},
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
  });
  boss.on('error', (error: Error) => options.onError?.(error));
  await boss.start();
  for (const name of Object.keys(JOBS)) {
    await boss.createQueue(name, { retryLimit: 3, retryDelay: 5, retryBackoff: true });
  }
  return {
    boss,
    async send(name, payload) {
      const data = JOBS[name].parse(payload);
      const id = await boss.send(name, data);
      if (!id) throw new Error(`pg-boss refused job ${name}`);
      return id;
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
