import { JOBS } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import { Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import { WORKER_WINDOW_SECONDS } from '../health/health-service.ts';

/** Scan durations (seconds): from a cached re-match to a multi-gigabyte pull. */
export const SCAN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface ScanRow {
  result: string;
  /** Cumulative counts, one per bound of SCAN_DURATION_BUCKETS. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * A histogram whose counts live in the database (every API process reports the same fleet-wide
 * figures): prom-client's own histogram only counts what this process observed.
 */
class StoredHistogram {
  readonly type = 'histogram';
  rows: ScanRow[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: 'sum',
      values: this.rows.flatMap((row) => [
        ...this.buckets.map((le, i) => ({
          metricName: `${this.name}_bucket`,
          labels: { result: row.result, le },
          value: Number(row.buckets[i] ?? 0),
        })),
        {
          metricName: `${this.name}_bucket`,
          labels: { result: row.result, le: '+Inf' },
          value: Number(row.count),
        },
        { metricName: `${this.name}_sum`, labels: { result: row.result }, value: row.sum },
        {
          metricName: `${this.name}_count`,
          labels: { result: row.result },
          value: Number(row.count),
        },
      ]),
    };
  }
}

/**
 * Prometheus metrics of one API process: the HTTP requests it served (observed as they end) and
 * the fleet's state read from the database at each scrape (scans, queue, workers, open findings,
 * advisory database age), so every API process behind a load balancer answers alike.
 */
export function createMetricsService(prisma: PrismaClient) {
  const registry = new Registry();
  const registers = [registry];
  const http = new Histogram({
    name: 'drydock_http_request_duration_seconds',
    help: 'API requests by method, route (its template) and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  const scans = new Counter({
    name: 'drydock_scans_total',
    help: 'Finished image scans by result (succeeded, failed)',
    labelNames: ['result'] as const,
    registers,
  });
  const durations = new StoredHistogram(
    'drydock_scan_duration_seconds',
    'Time from a scan starting on a worker to its result, by result',
    SCAN_DURATION_BUCKETS,
  );
  registry.registerMetric(durations as unknown as Metric);
  const queued = new Gauge({
    name: 'drydock_queue_jobs',
    help: 'Jobs in the queue by queue and state (queued: due and waiting; active: running)',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const oldest = new Gauge({
    name: 'drydock_queue_oldest_job_age_seconds',
    help: 'Age of the oldest due job not yet started, by queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers,
  });
  const workers = new Gauge({
    name: 'drydock_workers_alive',
    help: `Worker processes whose heartbeat is younger than ${WORKER_WINDOW_SECONDS} s`,
    registers,
  });
  const running = new Gauge({
    name: 'drydock_worker_scans_running',
    help: 'Image scans the live workers are running',
    registers,
  });
  const findings = new Gauge({
    name: 'drydock_findings_open',
    help: 'Open vulnerability findings by category (system, application) and priority',
    labelNames: ['category', 'priority'] as const,
    registers,
  });
  const samples = new Gauge({
    name: 'drydock_samples_open',
    help: 'Open malicious-sample findings by severity',
    labelNames: ['severity'] as const,
    registers,
  });
  const advisoryAge = new Gauge({
    name: 'drydock_advisory_database_age_seconds',
    help: 'Time since the last successful advisory import (absent: never imported)',
    registers,
  });
  const advisories = new Gauge({
    name: 'drydock_advisory_records',
    help: 'Advisory records in the database',
    registers,
  });
  const readErrors = new Counter({
    name: 'drydock_metrics_read_errors_total',
    help: 'Scrapes at which a group of database figures could not be read (it keeps its last values), by group',
    labelNames: ['part'] as const,
    registers,
  });

  /**
   * Reads the fleet's figures, each group on its own: one that cannot be read (a missing queue
   * schema, a timeout) keeps its last values and counts an error, the others are still current.
   */
  async function refresh() {
    const read = async <T>(part: string, query: PromiseLike<T>, apply: (rows: T) => void) => {
      try {
        apply(await query);
      } catch {
        readErrors.inc({ part });
      }
    };
    await Promise.all([
      // width_bucket: how many bounds lie at or below each duration.
      read(
        'scans',
        prisma.$queryRaw<{ result: string; k: number; n: bigint; sum: number }[]>`
          SELECT status::text AS result,
                 width_bucket(d, ${SCAN_DURATION_BUCKETS}::float8[]) AS k,
                 count(*) AS n, sum(d)::float8 AS sum
          FROM (SELECT status, extract(epoch FROM finished_at - started_at)::float8 AS d
                FROM scan_job
                WHERE status IN ('succeeded', 'failed')
                  AND started_at IS NOT NULL AND finished_at IS NOT NULL) s
          GROUP BY 1, 2`,
        (scanRows) => {
          const finished = new Map<string, ScanRow>();
          for (const result of ['succeeded', 'failed'])
            finished.set(result, {
              result,
              buckets: SCAN_DURATION_BUCKETS.map(() => 0),
              sum: 0,
              count: 0,
            });
          for (const row of scanRows) {
            const into = finished.get(row.result);
            if (!into) continue;
            into.count += Number(row.n);
            into.sum += row.sum;
            // A duration with k bounds at or below it falls in every bucket from the (k+1)th on.
            for (let i = Number(row.k); i < SCAN_DURATION_BUCKETS.length; i++)
              into.buckets[i] = (into.buckets[i] ?? 0) + Number(row.n);
          }
          scans.reset();
          for (const row of finished.values()) scans.inc({ result: row.result }, row.count);
          durations.rows = [...finished.values()];
        },
      ),
      read(
        'queue',
        prisma.$queryRaw<{ name: string; queued: bigint; active: bigint; oldest: number | null }[]>`
          SELECT name,
                 count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()) AS queued,
                 count(*) FILTER (WHERE state = 'active') AS active,
                 extract(epoch FROM now() - min(created_on)
                   FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()))::float8 AS oldest
          FROM pgboss.job
          WHERE state IN ('created', 'retry', 'active')
          GROUP BY name`,
        (queueRows) => {
          queued.reset();
          oldest.reset();
          const byQueue = new Map(queueRows.map((r) => [r.name, r]));
          for (const name of new Set([...Object.keys(JOBS), ...byQueue.keys()])) {
            const row = byQueue.get(name);
            queued.set({ queue: name, state: 'queued' }, Number(row?.queued ?? 0));
            queued.set({ queue: name, state: 'active' }, Number(row?.active ?? 0));
            oldest.set({ queue: name }, Math.max(0, Math.round(row?.oldest ?? 0)));
          }
        },
      ),
      read(
        'workers',
        prisma.$queryRaw<{ alive: bigint; running: bigint }[]>`
          SELECT count(*) AS alive, coalesce(sum(running), 0)::bigint AS running
          FROM worker_process
          WHERE last_seen_at > now() - make_interval(secs => ${WORKER_WINDOW_SECONDS})`,
        (workerRows) => {
          workers.set(Number(workerRows[0]?.alive ?? 0));
          running.set(Number(workerRows[0]?.running ?? 0));
        },
      ),
      read(
        'findings',
        prisma.$queryRaw<{ category: string; priority: string; n: bigint }[]>`
          SELECT category, priority::text AS priority, count(*) AS n
          FROM finding WHERE status = 'open' GROUP BY 1, 2`,
        (findingRows) => {
          findings.reset();
          for (const category of ['system', 'application'])
            for (const priority of ['high', 'medium', 'low'])
              findings.set({ category, priority }, 0);
          for (const row of findingRows)
            findings.set({ category: row.category, priority: row.priority }, Number(row.n));
        },
      ),
      read(
        'samples',
        prisma.$queryRaw<{ severity: string; n: bigint }[]>`
          SELECT s.severity, count(*) AS n
          FROM sample_finding f JOIN malicious_sample s ON s.sha256 = f.sample_sha256
          WHERE f.status = 'open' GROUP BY 1`,
        (sampleRows) => {
          samples.reset();
          for (const severity of ['urgent', 'warning', 'notice']) samples.set({ severity }, 0);
          for (const row of sampleRows) samples.set({ severity: row.severity }, Number(row.n));
        },
      ),
      read(
        'advisories',
        prisma.$queryRaw<{ age: number | null; records: bigint }[]>`
          SELECT extract(epoch FROM now() - (SELECT max(finished_at) FROM advisory_import
                   WHERE status = 'succeeded'))::float8 AS age,
                 (SELECT count(*) FROM advisory) AS records`,
        (advisoryRows) => {
          advisoryAge.reset();
          const age = advisoryRows[0]?.age;
          if (age !== null && age !== undefined) advisoryAge.set(Math.max(0, Math.round(age)));
          advisories.set(Number(advisoryRows[0]?.records ?? 0));
        },
      ),
    ]);
  }

  return {
    contentType: registry.contentType,
    /** Called as each request ends (route template, not the raw URL: bounded label values). */
    observeRequest(method: string, route: string, status: number, seconds: number) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
    /** The exposition text: database figures read now (their last values if the read fails). */
    async scrape(): Promise<string> {
      await refresh();
      return registry.metrics();
    },
  };
}

export type MetricsService = ReturnType<typeof createMetricsService>;
