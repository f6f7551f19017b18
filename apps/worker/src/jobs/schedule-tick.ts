import type { ServerConfig } from '@drydock/config';
import {
  type PrismaClient,
  pruneUploads,
  type Queue,
  queueDueAdvisoryRefresh,
  refreshFixActions,
} from '@drydock/db';

const LAYER_CACHE_DAYS = 30;

/**
 * Runs every minute on one worker (a pg-boss cron schedule): claims the instances whose scheduled
 * scan is due by moving `next_scheduled_at` forward in one conditional UPDATE (so two ticks never
 * claim the same instance), then queues a sync that is followed by a scan of the instance. It
 * also removes the stored uploads nobody will scan again (see pruneUploads), per-layer malware
 * results unused for 30 days and the fix plan's stale vulnerability pairs, and queues the scheduled advisory refresh when it is due.
 */
/** How long webhook deliveries are kept. */
export const DELIVERY_DAYS = 30;

export function createScheduleTickHandler(deps: {
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  now?: () => Date;
  /** Scheduled advisory refresh (DRYDOCK_ADVISORY_SOURCE / _REFRESH); absent: off. */
  advisoryRefresh?: ServerConfig['advisoryRefresh'];
}) {
  return async () => {
    const now = (deps.now ?? (() => new Date()))();
    const due = await deps.prisma.$queryRaw<{ id: string }[]>`
      UPDATE registry_instance
      SET next_scheduled_at = ${now}::timestamptz + make_interval(mins => scan_interval_minutes)
      WHERE scan_interval_minutes IS NOT NULL
        AND (next_scheduled_at IS NULL OR next_scheduled_at <= ${now}::timestamptz)
      RETURNING id`;
    for (const { id } of due) {
      await deps.queue.send('registry.sync', { instanceId: id, thenScan: true });
    }
    const uploadsPruned = await pruneUploads(deps.prisma, now);
    // Per-layer malware results nobody used for 30 days (old rule sets, deleted images).
    const layersPruned = await deps.prisma.layerMalwareCache.deleteMany({
      where: { lastUsedAt: { lt: new Date(now.getTime() - LAYER_CACHE_DAYS * 86_400_000) } },
    });
    // Heartbeat rows of workers gone for a day (killed ones never remove their own).
    const workersPruned = await deps.prisma.workerProcess.deleteMany({
      where: { lastSeenAt: { lt: new Date(now.getTime() - 86_400_000) } },
    });
    // Webhook deliveries are kept 30 days (the console's delivery list, re-delivery); sign-ins
    // at the identity provider never finished leave their pending row for a day.
    const deliveriesPruned = await deps.prisma.webhookDelivery.deleteMany({
      where: { createdAt: { lt: new Date(now.getTime() - DELIVERY_DAYS * 86_400_000) } },
    });
    await deps.prisma.oidcLogin.deleteMany({
      where: { createdAt: { lt: new Date(now.getTime() - 86_400_000) } },
    });
    // The fix plan's rows of images noted as changed (a bulk triage, an import): in batches,
    // for at most 30 s a tick.
    const fixActionsRefreshed = await refreshFixActions(deps.prisma, {
      until: Date.now() + 30_000,
    });
    // The fix plan's fleet-wide vulnerability lists: pairs no image has any more.
    const [fixListsPruned] = await deps.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT prune_fix_action_vulnerabilities() AS n`;
    const advisoryImport = deps.advisoryRefresh
      ? await queueDueAdvisoryRefresh(deps.prisma, deps.queue, deps.advisoryRefresh, now)
      : undefined;
    return {
      started: due.map((d) => d.id),
      ...(advisoryImport ? { advisoryImport } : {}),
      uploadsPruned,
      layersPruned: layersPruned.count,
      workersPruned: workersPruned.count,
      deliveriesPruned: deliveriesPruned.count,
      fixListsPruned: Number(fixListsPruned?.n ?? 0),
      fixActionsRefreshed,
    };
  };
}
