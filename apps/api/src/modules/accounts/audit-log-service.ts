import type {
  SecurityEvent,
  SecurityLogQuery,
  TriageLogEntry,
  TriageLogQuery,
} from '@drydock/contract';
import type { Prisma, PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';
import { pageWindow, toPage } from '../../lib/paging.ts';

/** Filters both audit logs share: actor (substring, any case), action (prefix) and time. */
const logWhere = (q: TriageLogQuery) => ({
  ...(q.actor ? { actor: { contains: q.actor, mode: 'insensitive' as const } } : {}),
  ...(q.action ? { action: { startsWith: q.action } } : {}),
  ...(q.since || q.until
    ? {
        at: {
          ...(q.since ? { gte: new Date(q.since) } : {}),
          ...(q.until ? { lt: new Date(q.until) } : {}),
        },
      }
    : {}),
});

/** The security and triage logs, for auditors. */
export function createAuditLogService(prisma: PrismaClient) {
  return {
    /**
     * Every triage decision, newest first (the auditor's view across all findings); a scoped
     * auditor sees the decisions on the images of its scope only.
     */
    async triageLog(query: TriageLogQuery, visible: Visibility = null) {
      const where: Prisma.TriageEventWhereInput = logWhere(query);
      if (visible) {
        const images = await prisma.image.findMany({
          where: visibleImageWhere(visible),
          select: { id: true },
        });
        where.imageId = { in: images.map((i) => i.id) };
      }
      const [total, rows] = await Promise.all([
        prisma.triageEvent.count({ where }),
        prisma.triageEvent.findMany({
          where,
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          ...pageWindow(query),
        }),
      ]);
      return toPage(
        query,
        rows.map(
          (e): TriageLogEntry => ({
            at: e.at.toISOString(),
            actor: e.actor,
            action: e.action,
            kind: e.kind,
            targetId: e.targetId,
            oldStatus: e.oldStatus,
            newStatus: e.newStatus,
            reason: e.reason,
            scope: e.scope,
            imageId: e.imageId,
          }),
        ),
        total,
      );
    },

    async securityLog(query: SecurityLogQuery) {
      const where: Prisma.SecurityEventWhereInput = {
        ...logWhere(query),
        ...(query.outcome ? { outcome: query.outcome } : {}),
      };
      const [total, rows] = await Promise.all([
        prisma.securityEvent.count({ where }),
        prisma.securityEvent.findMany({
          where,
          orderBy: { id: 'desc' },
          ...pageWindow(query),
        }),
      ]);
      return toPage(
        query,
        rows.map(
          (r): SecurityEvent => ({
            id: r.id.toString(),
            at: r.at.toISOString(),
            actor: r.actor,
            action: r.action,
            outcome: r.outcome as SecurityEvent['outcome'],
            target: r.target,
            ip: r.ip,
            detail:
              r.detail && typeof r.detail === 'object' && !Array.isArray(r.detail)
                ? (r.detail as Record<string, unknown>)
                : null,
          }),
        ),
        total,
      );
    },
  };
}
