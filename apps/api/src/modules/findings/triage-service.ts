import { randomUUID } from 'node:crypto';
import {
  type ListVulnerabilitiesQuery,
  type TriageKind,
  TriageKindSchema,
  type TriageRequest,
  type TriageScope,
} from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleImageWhere, visibleSql } from '../../auth/visibility.ts';
import { ForbiddenError, NotFoundError, UnprocessableError } from '../../lib/errors.ts';
import { IMAGE_JOINS, where } from './findings-sql.ts';
import { vulnerabilityFilter } from './vulnerabilities-repository.ts';

const sql = Prisma.sql;

export type { TriageKind };

const TABLE = {
  vulnerability: sql`finding`,
  sample: sql`sample_finding`,
  sensitive: sql`sensitive_finding`,
};
const TARGET = {
  vulnerability: sql`vulnerability_id`,
  sample: sql`sample_sha256`,
  sensitive: sql`item_id`,
};
/** Where a finding is, for the changes feed. */
const PLACE = { vulnerability: sql`f.path`, sample: sql`f.path`, sensitive: sql`f.location` };

/** A scope as SQL needs it: for `base`, the chain id of the image's top base layer. */
type ResolvedScope = TriageScope & { chainId?: string };

/** `base` names an image; what it covers is that image's base stack (its top layer's chain id). */
async function resolveScope(
  db: PrismaClient,
  scope: TriageScope | undefined,
): Promise<ResolvedScope | undefined> {
  if (scope?.type !== 'base') return scope;
  const image = await db.image.findUnique({
    where: { id: scope.id },
    select: { baseLayerCount: true },
  });
  if (!image) throw new NotFoundError(`No image ${scope.id}`);
  const top = await db.imageLayer.findUnique({
    where: { imageId_position: { imageId: scope.id, position: image.baseLayerCount - 1 } },
    select: { chainId: true },
  });
  if (!top?.chainId) {
    throw new UnprocessableError(
      'no_base',
      'that image has no known base: no other scanned image shares its bottom layers',
    );
  }
  return { ...scope, chainId: top.chainId };
}

/**
 * Findings `f` of images `i` (repository `r`, namespace `n`) a scope covers; for a base, the
 * findings in the base layers of every image built on it (the same chain of layers below).
 */
function scopeCondition(scope: ResolvedScope | undefined): Prisma.Sql {
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
    case 'base':
      return sql`EXISTS (SELECT 1 FROM image_layer bl WHERE bl.image_id = i.id
        AND bl.chain_id = ${scope.chainId ?? ''} AND f.layer_index <= bl.position)`;
  }
}

/** The rules of a scope (a base by its chain id: named from any image built on it). */
function ruleScopeWhere(scope: ResolvedScope | undefined): Prisma.TriageRuleWhereInput {
  if (!scope) return {};
  return scope.type === 'base'
    ? { scopeType: 'base', scopeChainId: scope.chainId ?? '' }
    : { scopeType: scope.type, scopeId: scope.id };
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

/** Per-row counts with the ROLLUP total (the row whose target is null). */
function summarize(
  counts: { target: string | null; findings: bigint; images: bigint }[],
  bulkId: string | null,
  dryRun: boolean,
) {
  const total = counts.find((c) => c.target === null);
  const perTarget = new Map(
    counts.flatMap((c) => (c.target === null ? [] : [[c.target, Number(c.findings)] as const])),
  );
  const findings = Number(total?.findings ?? 0);
  return {
    bulkId: findings > 0 ? bulkId : null,
    dryRun,
    findings,
    images: Number(total?.images ?? 0),
    targets: perTarget.size,
    perTarget,
  };
}

/** What an ignore decides (stored with the findings, rules and events); nothing otherwise. */
function decisionOf(t: TriageRequest): { decision: string | null; justification: string | null } {
  if (t.action !== 'ignore') return { decision: null, justification: null };
  return { decision: t.decision ?? 'ignored', justification: t.justification ?? null };
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
    /** One row (a vulnerability or a sample) triaged: see applyMany. */
    async apply(
      kind: TriageKind,
      targetId: string,
      t: TriageRequest,
      actor: string,
      visible: Visibility = null,
    ) {
      const done = await this.applyMany(kind, { ids: [targetId] }, t, actor, visible, false, {
        single: true,
      });
      return { changed: done.findings, ...(done.ruleIds[0] ? { ruleId: done.ruleIds[0] } : {}) };
    },

    /**
     * One triage over many rows in one statement: the rows are `ids` (vulnerability ids or sample
     * hashes) or, for vulnerabilities, a tab filter (`filter`: the list's SQL). Every changed
     * finding gets an event (carrying the action's `bulkId` unless `single`); a scoped ignore
     * leaves one rule per row (every id given, or every row the filter found), so findings of
     * later scans in that scope are stored ignored. A scoped principal's rules stay in its scope.
     * `dryRun` counts what would change (findings, images, rows) and changes nothing.
     */
    async applyMany(
      kind: TriageKind,
      selection: { ids: string[] } | { query: ListVulnerabilitiesQuery },
      t: TriageRequest,
      actor: string,
      visible: Visibility = null,
      dryRun = false,
      options: { single?: boolean } = {},
    ) {
      if (visible) await checkScopeVisible(db, t.scope, visible);
      const scope = await resolveScope(db, t.scope);
      const limit = visibleSql(visible) ?? sql`TRUE`;
      const move = TRANSITIONS[t.action];
      const scopeText = t.scope ? `${t.scope.type}:${t.scope.id}` : 'all images';
      const expires = t.expiresAt ? new Date(t.expiresAt) : null;
      const decision = decisionOf(t);
      let rows: Prisma.Sql;
      if ('ids' in selection) rows = sql`f.${TARGET[kind]} = ANY(${selection.ids}::text[])`;
      else {
        // The rows the tab shows (grouped by vulnerability, priority on the row), and in them
        // the findings the filter matches.
        const { conditions, having } = vulnerabilityFilter({ ...selection.query, visible });
        rows = sql`f.vulnerability_id IN (
              SELECT f.vulnerability_id FROM finding f ${IMAGE_JOINS}
              ${where(conditions)}
              GROUP BY f.vulnerability_id ${having})
              AND ${Prisma.join(conditions, ' AND ')}`;
      }
      const target = sql`SELECT f.id, f.image_id, f.${TARGET[kind]} AS target, f.status::text AS old
        FROM ${TABLE[kind]} f ${IMAGE_JOINS}
        WHERE ${rows} AND f.status::text = ANY(${move.from}::text[])
          AND ${scopeCondition(scope)} AND ${limit}`;
      type Count = { target: string | null; findings: bigint; images: bigint };
      if (dryRun) {
        const counts = await db.$queryRaw<Count[]>`
          WITH t AS (${target})
          SELECT target, count(*) AS findings, count(DISTINCT image_id) AS images FROM t GROUP BY ROLLUP (target)`;
        return { ...summarize(counts, null, true), ruleIds: [] as string[] };
      }
      const bulkId = options.single ? null : randomUUID();
      return db.$transaction(
        async (tx) => {
          const counts = await tx.$queryRaw<Count[]>`
            WITH t AS (${target} FOR UPDATE OF f),
            changed AS (
              UPDATE ${TABLE[kind]} f SET status = ${move.to}::finding_status,
                ignore_expires_at = ${t.action === 'ignore' ? expires : null}::timestamptz,
                triage_decision = ${decision.decision}, triage_justification = ${decision.justification}
              FROM t WHERE f.id = t.id
              RETURNING f.id, f.image_id, t.target, t.old),
            logged AS (
              INSERT INTO triage_event (kind, target_id, finding_id, image_id, action, old_status,
                new_status, reason, scope, actor, at, bulk_id, decision, justification)
              SELECT ${kind}, target, id, image_id, ${t.action}, old, ${move.to}, ${t.reason ?? null},
                ${scopeText + (expires ? ` until ${expires.toISOString()}` : '')}, ${actor}, ${now()},
                ${bulkId}::uuid, ${decision.decision}, ${decision.justification}
              FROM changed RETURNING 1)
            SELECT target, count(*) AS findings, count(DISTINCT image_id) AS images
            FROM changed GROUP BY ROLLUP (target)`;
          const summary = summarize(counts, bulkId, false);
          const targets = 'ids' in selection ? selection.ids : [...summary.perTarget.keys()];
          let ruleIds: string[] = [];
          if (t.action === 'ignore' && scope) {
            const rules = await tx.$queryRaw<{ id: string }[]>`
              INSERT INTO triage_rule (id, kind, target_id, scope_type, scope_id, scope_chain_id,
                limited, limit_instance_ids, limit_namespace_ids, reason, decision, justification,
                expires_at, created_by)
              SELECT gen_random_uuid(), ${kind}, x, ${scope.type}, ${scope.id}::uuid,
                ${scope.chainId ?? null}, ${visible !== null},
                ${visible?.instanceIds ?? []}::uuid[], ${visible?.namespaceIds ?? []}::uuid[],
                ${t.reason ?? ''}, ${decision.decision}, ${decision.justification},
                ${expires}::timestamptz, ${actor}
              FROM unnest(${targets}::text[]) AS x
              RETURNING id`;
            ruleIds = rules.map((r) => r.id);
          }
          if (t.action === 'unignore') {
            await tx.triageRule.updateMany({
              where: { kind, targetId: { in: targets }, revokedAt: null, ...ruleScopeWhere(scope) },
              data: { revokedAt: now() },
            });
          }
          return { ...summary, ruleIds };
        },
        // A whole tab of a large fleet (~0.1 ms a finding): minutes, not the default seconds.
        { timeout: 600_000, maxWait: 30_000 },
      );
    },

    /** Which of these rows exist with at least one finding the principal may see. */
    async knownTargets(kind: TriageKind, ids: string[], visible: Visibility = null) {
      const limit = visibleSql(visible) ?? sql`TRUE`;
      const rows = await db.$queryRaw<{ target: string }[]>`
        SELECT DISTINCT f.${TARGET[kind]} AS target FROM ${TABLE[kind]} f ${IMAGE_JOINS}
        WHERE f.${TARGET[kind]} = ANY(${ids}::text[]) AND ${limit}`;
      return new Set(rows.map((r) => r.target));
    },

    /** Ignores past their expiry resurface as open (with an event by "system"). */
    async resurfaceExpired() {
      for (const kind of TriageKindSchema.options) {
        const rows = await db.$queryRaw<{ id: string; image_id: string; target: string }[]>`
          UPDATE ${TABLE[kind]} SET status = 'open', ignore_expires_at = NULL,
            triage_decision = NULL, triage_justification = NULL
          WHERE status = 'ignored' AND ignore_expires_at IS NOT NULL AND ignore_expires_at <= ${now()}
          RETURNING id, image_id, ${TARGET[kind]} AS target`;
        if (rows.length) {
          // What changed: back in the open lists because the decision expired.
          const ids = rows.map((r) => r.id);
          await db.$executeRaw`
            INSERT INTO finding_change (at, image_id, kind, target_id, change, cause, category,
              package_name, installed_version, path, priority)
            SELECT ${now()}, f.image_id, ${kind}, f.${TARGET[kind]}, 'reintroduced', 'triage_expired',
              ${kind === 'vulnerability' ? sql`f.category, f.package_name, f.installed_version, f.path, f.priority::text` : sql`NULL, NULL, NULL, ${PLACE[kind]}, NULL`}
            FROM ${TABLE[kind]} f WHERE f.id = ANY(${ids}::uuid[])`;
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
        decision: e.decision,
        justification: e.justification,
      }));
    },
  };
}
export type TriageService = ReturnType<typeof createTriageService>;
