import { randomUUID } from 'node:crypto';
import {
  WEBHOOK_PAYLOAD_VERSION,
  type WebhookData,
  type WebhookDataSchemas,
  type WebhookPayload,
} from '@drydock/contract';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';
import type { Queue } from './queue.ts';
import { openSecret, sealSecret } from './secrets.ts';

/** Webhook signing keys are sealed per webhook (signing needs the key itself, not a hash). */
export const sealWebhookSecret = (secretKey: string, webhookId: string, plain: string) =>
  sealSecret(secretKey, 'webhook', plain, webhookId);
export const openWebhookSecret = (secretKey: string, webhookId: string, sealed: string) =>
  openSecret(secretKey, 'webhook', sealed, webhookId);

type EventName = keyof typeof WebhookDataSchemas;

/** The registry instance and namespace of an image: what webhook scopes are about. */
export interface ImageScope {
  instanceId: string | null;
  namespaceId: string | null;
}

/**
 * Records one event for every enabled webhook that wants it (its events, and for events about an
 * image, its scope: images outside every scoped webhook's instances and namespaces, and images
 * of no registry, go to unscoped webhooks only) and queues the deliveries. Returns how many.
 */
export async function emitWebhookEvent<E extends EventName>(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  event: E,
  data: WebhookData<E>,
  image?: ImageScope,
  only?: { webhookId: string },
): Promise<number> {
  const instanceId = image?.instanceId ?? null;
  const namespaceId = image?.namespaceId ?? null;
  const hooks = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM webhook
    WHERE enabled
      AND (${only?.webhookId ?? null}::uuid IS NULL OR id = ${only?.webhookId ?? null}::uuid)
      AND (${event} = 'ping' OR cardinality(events) = 0 OR ${event} = ANY(events))
      AND (${image === undefined}
           OR (cardinality(instance_ids) = 0 AND cardinality(namespace_ids) = 0)
           OR ${instanceId}::uuid = ANY(instance_ids)
           OR ${namespaceId}::uuid = ANY(namespace_ids))`;
  if (!hooks.length) return 0;
  const payload = {
    schemaVersion: WEBHOOK_PAYLOAD_VERSION,
    id: randomUUID(),
    event,
    createdAt: new Date().toISOString(),
    data,
  } as WebhookPayload;
  const json = JSON.parse(JSON.stringify(payload)) as Prisma.InputJsonObject;
  const rows = hooks.map((h) => ({ id: randomUUID(), webhookId: h.id, event, payload: json }));
  await prisma.webhookDelivery.createMany({ data: rows });
  await queue.sendMany(
    'webhook.deliver',
    rows.map((r) => ({ deliveryId: r.id })),
  );
  return rows.length;
}

/** A delivery sent again: a new row with the same payload (same event id), queued now. */
export async function redeliver(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  deliveryId: string,
): Promise<string> {
  const original = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
  const copy = await prisma.webhookDelivery.create({
    data: {
      webhookId: original.webhookId,
      event: original.event,
      payload: original.payload as Prisma.InputJsonObject,
      redeliveryOf: original.id,
    },
    select: { id: true },
  });
  await queue.sendMany('webhook.deliver', [{ deliveryId: copy.id }]);
  return copy.id;
}

/** What a webhook payload names about an image, and its scope. */
export async function imageForWebhook(
  prisma: PrismaClient,
  imageId: string,
): Promise<{ ref: WebhookData<'scan.finished'>['image']; scope: ImageScope } | undefined> {
  const image = await prisma.image.findUnique({
    where: { id: imageId },
    select: {
      id: true,
      name: true,
      digest: true,
      repository: {
        select: { name: true, namespace: { select: { id: true, name: true, instanceId: true } } },
      },
    },
  });
  if (!image) return undefined;
  const namespace = image.repository?.namespace;
  return {
    ref: {
      id: image.id,
      name: image.name || image.digest,
      digest: image.digest,
      registryId: namespace?.instanceId ?? null,
      namespace: namespace?.name ?? null,
      repository: image.repository?.name ?? null,
    },
    scope: { instanceId: namespace?.instanceId ?? null, namespaceId: namespace?.id ?? null },
  };
}

/**
 * The events of a finished image scan: `scan.finished` with its counts, and from what changed at
 * this scan, `finding.new_high` (new or reintroduced high-priority vulnerabilities) and
 * `sample.new_urgent` (new or reintroduced urgent samples).
 */
export async function emitScanFinished(
  prisma: PrismaClient,
  queue: Pick<Queue, 'sendMany'>,
  scanJobId: string,
  imageId: string,
  result: Pick<WebhookData<'scan.finished'>, 'findings' | 'samples'>,
): Promise<void> {
  const image = await imageForWebhook(prisma, imageId);
  if (!image) return;
  const base = { scanJobId, image: image.ref };
  await emitWebhookEvent(prisma, queue, 'scan.finished', { ...base, ...result }, image.scope);
  const high = await prisma.findingChange.findMany({
    where: {
      scanJobId,
      kind: 'vulnerability',
      change: { in: ['new', 'reintroduced'] },
      priority: 'high',
    },
    select: {
      targetId: true,
      category: true,
      packageName: true,
      installedVersion: true,
      path: true,
    },
    orderBy: { id: 'asc' },
  });
  if (high.length) {
    await emitWebhookEvent(
      prisma,
      queue,
      'finding.new_high',
      {
        ...base,
        total: high.length,
        findings: high.slice(0, 100).map((f) => ({
          vulnerabilityId: f.targetId,
          category: f.category,
          package: f.packageName,
          installedVersion: f.installedVersion,
          path: f.path,
        })),
      },
      image.scope,
    );
  }
  const urgent = await prisma.$queryRaw<{ sha256: string; path: string | null; name: string }[]>`
    SELECT c.target_id AS sha256, c.path, s.name
    FROM finding_change c JOIN malicious_sample s ON s.sha256 = c.target_id
    WHERE c.scan_job_id = ${scanJobId}::uuid AND c.kind = 'sample'
      AND c.change IN ('new', 'reintroduced') AND s.severity = 'urgent'
    ORDER BY c.id`;
  if (urgent.length) {
    await emitWebhookEvent(
      prisma,
      queue,
      'sample.new_urgent',
      { ...base, total: urgent.length, samples: urgent.slice(0, 100) },
      image.scope,
    );
  }
}
