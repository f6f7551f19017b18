import type { ScanReport } from '@drydock/contract';
import type { Prisma } from './generated/prisma/client.ts';
import { planReconcile } from './reconcile.ts';

type Sensitive = NonNullable<ScanReport['sensitive']>[number];
type Triage = (itemId: string, layerIndex: number) => Record<string, unknown>;

const keyOf = (location: string, line: number, itemId: string) => `${itemId}|${location}|${line}`;

/**
 * One scan's sensitive content into the image's findings: items (shared by every image: a secret
 * by rule and hash, a check by rule, ghost content by package) refreshed, findings reconciled
 * like samples — new, back, still there (status and triage kept), gone (resolved). Only the
 * masked preview and the hash are stored, never a secret.
 */
export async function persistSensitive(
  tx: Prisma.TransactionClient,
  imageId: string,
  found: readonly Sensitive[],
  at: Date,
  initialStatus: Triage,
) {
  for (const s of new Map(found.map((x) => [x.id, x])).values()) {
    const fields = {
      kind: s.kind,
      ruleId: s.ruleId,
      title: s.title,
      category: s.category,
      priority: s.priority,
      fix: s.fix,
      references: s.references,
      preview: s.preview ?? null,
      secretSha256: s.secretSha256 ?? null,
      packagePurl: s.package?.purl ?? null,
      vulnerabilities: s.vulnerabilities ?? [],
      source: s.source ?? null,
      lastSeenAt: at,
    };
    await tx.sensitiveItem.upsert({
      where: { id: s.id },
      create: { id: s.id, firstSeenAt: at, ...fields },
      update: fields,
    });
  }
  const before = await tx.sensitiveFinding.findMany({
    where: { imageId },
    select: { id: true, itemId: true, location: true, line: true, status: true },
  });
  const plan = planReconcile(
    found,
    before,
    (s) => keyOf(s.location, s.line ?? 0, s.id),
    (f) => keyOf(f.location, f.line, f.itemId),
  );
  const placementOf = (s: Sensitive) => ({
    layerIndex: s.layerIndex ?? null,
    layerDiffId: s.layerDiffId ?? null,
    createdBy: s.createdBy ?? null,
    deletedInLayer: s.deletedInLayer ?? null,
    deletedBy: s.deletedBy ?? null,
    description: s.description,
    lastSeenAt: at,
  });
  for (const { item: s, old } of plan.reopened) {
    await tx.sensitiveFinding.update({
      where: { id: old.id },
      data: {
        ...placementOf(s),
        status: 'open',
        resolvedAt: null,
        triageDecision: null,
        triageJustification: null,
        ...initialStatus(s.id, s.layerIndex ?? 0),
      },
    });
  }
  if (plan.fresh.length) {
    await tx.sensitiveFinding.createMany({
      data: plan.fresh.map((s) => ({
        itemId: s.id,
        imageId,
        location: s.location,
        line: s.line ?? 0,
        firstSeenAt: at,
        ...placementOf(s),
        ...initialStatus(s.id, s.layerIndex ?? 0),
      })),
    });
  }
  const still = plan.still.map(({ item, old }) => ({ id: old.id, ...placementOf(item) }));
  if (still.length) {
    await tx.$executeRaw`
      UPDATE sensitive_finding f SET layer_index = r."layerIndex", layer_diff_id = r."layerDiffId",
        created_by = r."createdBy", deleted_in_layer = r."deletedInLayer", deleted_by = r."deletedBy",
        description = r."description", last_seen_at = ${at}
      FROM jsonb_to_recordset(${JSON.stringify(still)}::jsonb) AS r(id uuid, "layerIndex" int,
        "layerDiffId" text, "createdBy" text, "deletedInLayer" int, "deletedBy" text, "description" text)
      WHERE f.id = r.id`;
  }
  if (plan.gone.length) {
    await tx.sensitiveFinding.updateMany({
      where: { id: { in: plan.gone.map((f) => f.id) } },
      data: { status: 'resolved', resolvedAt: at },
    });
  }
  return plan.counts;
}
