import { type TriageKind, TriageKindSchema, type TriageRequest } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleSql } from '../../auth/visibility.ts';
import { ForbiddenError } from '../../lib/errors.ts';

const sql = Prisma.sql;

export type { TriageKind };

const TABLE = { vulnerability: sql`finding`, sample: sql`sample_finding` };
const TARGET = { vulnerability: sql`vulnerability_id`, sample: sql`sample_sha256` };

/** Images covered by a scope, as a SQL condition on `i` (image) joined to repository `r` and namespace `n`. */
function scopeCondition(scope: TriageRequest['scope']): Prisma.Sql {
  if (!scope) return sql`TRUE`;
  switch (scope.type) {
    case 'image':
      return sql`i.id = ${scope.id}::uuid`;
    case 'repository':
      return sql`i.repository_id = ${scope.id}::uuid`;
    case 'namespace':
      return sql`r.namespace_id = ${scope.id}::uuid`;
    case 'instance':
      return sql`n.instance_id = ${scope.id}::uuid`;
  }
}

/**
 * A scoped principal triages only within its scope: it must name one (image, repository,
 * namespace or instance) that lies inside what it may see.
 */
async function checkScopeVisible(
  db: PrismaClient,
  scope: TriageRequest['scope'],
  visible: NonNullable<Visibility>,
) {
  if (!scope) {
    throw new ForbiddenError(
      'a scoped account must give a scope (image, repository, namespace or instance)',
    );
  }
  let instanceId: string | undefined;
  let namespaceId: string | undefined;
  if (scope.type === 'instance') instanceId = scope.id;
  else if (scope.type === 'namespace') {
    const ns = await db.namespace.findUnique({ where: { id: scope.id } });
    namespaceId = ns?.id;
    instanceId = ns?.instanceId;
  } else {
    const repo =
      scope.type === 'repository'
        ? await db.repository.findUnique({ where: { id: scope.id }, include: { namespace: true } })
        : (
            await db.image.findUnique({
              where: { id: scope.id },
              include: { repository: { include: { namespace: true } } },
            })
          )?.repository;
    namespaceId = repo?.namespaceId;
    instanceId = repo?.namespace.instanceId;
  }
  const inside =
    (instanceId && visible.instanceIds.includes(instanceId)) ||
    (scope.type !== 'instance' && namespaceId && visible.namespaceIds.includes(namespaceId));
  if (!inside) throw new ForbiddenError('that scope lies outside your access');
}

const TRANSITIONS: Record<TriageRequest['action'], { from: string[]; to: string }> = {
  ignore: { from: ['open', 'handled'], to: 'ignored' },
  unignore: { from: ['ignored'], to: 'open' },
  handle: { from: ['open'], to: 'handled' },
  reopen: { from: ['handled'], to: 'open' },
};

/**
 * Triage for vulnerabilities and malicious samples alike: ignore (with reason, scope and optional
 * expiry), unignore, mark handled, reopen. Each changed finding writes an immutable event.
 */
export function createTriageService(db: PrismaClient, now: () => Date = () => new Date()) {
  return {
    async apply(
      kind: TriageKind,
      targetId: string,
      t: TriageRequest,
      actor: string,
      visible: Visibility = null,
    ) {
      if (visible) await checkScopeVisible(db, t.scope, visible);
      const limit = visibleSql(visible) ?? sql`TRUE`;
      const move = TRANSITIONS[t.action];
      const scopeText = t.scope ? `${t.scope.type}:${t.scope.id}` : 'all images';
      return db.$transaction(async (tx) => {
        const expires = t.expiresAt ? new Date(t.expiresAt) : null;
        const changed = await tx.$queryRaw<{ id: string; image_id: string; old: string }[]>`
          WITH target AS (
            SELECT f.id, f.status::text AS old FROM ${TABLE[kind]} f
            JOIN image i ON i.id = f.image_id
            LEFT JOIN repository r ON r.id = i.repository_id
            LEFT JOIN namespace n ON n.id = r.namespace_id
            WHERE f.${TARGET[kind]} = ${targetId} AND f.status::text = ANY(${move.from}::text[]) AND ${scopeCondition(t.scope)} AND ${limit}
            FOR UPDATE OF f
          )
          UPDATE ${TABLE[kind]} f SET status = ${move.to}::finding_status,
            ignore_expires_at = ${t.action === 'ignore' ? expires : null}::timestamptz
          FROM target WHERE f.id = target.id
          RETURNING f.id, f.image_id, target.old`;
        let ruleId: string | undefined;
        if (t.action === 'ignore' && t.scope) {
          const rule = await tx.triageRule.create({
            data: {
              kind,
              targetId,
              scopeType: t.scope.type,
              scopeId: t.scope.id,
              reason: t.reason ?? '',
              expiresAt: expires,
              createdBy: actor,
            },
          });
          ruleId = rule.id;
        }
        if (t.action === 'unignore') {
          await tx.triageRule.updateMany({
            where: {
              kind,
              targetId,
              revokedAt: null,
              ...(t.scope ? { scopeType: t.scope.type, scopeId: t.scope.id } : {}),
            },
            data: { revokedAt: now() },
          });
        }
        await tx.triageEvent.createMany({
          data: changed.map((c) => ({
            kind,
            targetId,
            findingId: c.id,
            imageId: c.image_id,
            action: t.action,
            oldStatus: c.old,
            newStatus: move.to,
            reason: t.reason ?? null,
            scope: scopeText + (expires ? ` until ${expires.toISOString()}` : ''),
            actor,
            at: now(),
          })),
        });
        return { changed: changed.length, ...(ruleId ? { ruleId } : {}) };
      });
    },

    /** Ignores past their expiry resurface as open (with an event by "system"). */
    async resurfaceExpired() {
      for (const kind of TriageKindSchema.options) {
        const rows = await db.$queryRaw<{ id: string; image_id: string; target: string }[]>`
          UPDATE ${TABLE[kind]} SET status = 'open', ignore_expires_at = NULL
          WHERE status = 'ignored' AND ignore_expires_at IS NOT NULL AND ignore_expires_at <= ${now()}
          RETURNING id, image_id, ${TARGET[kind]} AS target`;
        if (rows.length) {
          await db.triageEvent.createMany({
            data: rows.map((r) => ({
              kind,
              targetId: r.target,
              findingId: r.id,
              imageId: r.image_id,
              action: 'expire',
              oldStatus: 'ignored',
              newStatus: 'open',
              reason: 'ignore expired',
              actor: 'system',
              at: now(),
            })),
          });
        }
      }
    },

    async history(kind: TriageKind, targetId: string, visible: Visibility = null) {
      let events = await db.triageEvent.findMany({
        where: { kind, targetId },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: 500,
      });
      if (visible) {
        // Only the events of images the principal may see.
        const ids = [...new Set(events.flatMap((e) => (e.imageId ? [e.imageId] : [])))];
        const seen = new Set(
          (
            await db.image.findMany({
              where: { id: { in: ids }, ...visibleImageWhere(visible) },
              select: { id: true },
            })
          ).map((i) => i.id),
        );
        events = events.filter((e) => e.imageId && seen.has(e.imageId));
      }
      return events.map((e) => ({
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        oldStatus: e.oldStatus,
        newStatus: e.newStatus,
        reason: e.reason,
        scope: e.scope,
        imageId: e.imageId,
      }));
    },
  };
}
export type TriageService = ReturnType<typeof createTriageService>;
