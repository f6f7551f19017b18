import { isDatabaseUnavailable } from '@drydock/db';
import type { Logger } from 'pino';

/**
 * Queue errors, logged without flooding: while the database is away every poll of every queue
 * fails once a second; the first such error is logged, the rest are counted and summed up every
 * `everyMs`, and the return of the database is logged once.
 */
export function queueErrorLogger(logger: Logger, everyMs = 30_000) {
  let outageSince: number | undefined;
  let suppressed = 0;
  let lastSummary = 0;
  return {
    error(err: Error) {
      if (!isDatabaseUnavailable(err)) {
        logger.error({ err }, 'queue error');
        return;
      }
      const now = Date.now();
      if (outageSince === undefined) {
        outageSince = now;
        lastSummary = now;
        logger.error({ err: err.message }, 'database unreachable: waiting for it to come back');
        return;
      }
      suppressed++;
      if (now - lastSummary >= everyMs) {
        logger.error(
          { errors: suppressed, sinceSeconds: Math.round((now - outageSince) / 1000) },
          'database still unreachable',
        );
        suppressed = 0;
        lastSummary = now;
      }
    },
    /** Called when the database answers again. */
    recovered() {
      if (outageSince === undefined) return;
      logger.info(
        { afterSeconds: Math.round((Date.now() - outageSince) / 1000) },
        'database reachable again',
      );
      outageSince = undefined;
      suppressed = 0;
    },
  };
}
