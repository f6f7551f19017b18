import { randomUUID } from 'node:crypto';
import type { CreateWebhook, UpdateWebhook, Webhook, WebhookDelivery } from '@drydock/contract';
import {
  emitWebhookEvent,
  type Prisma,
  type PrismaClient,
  type Queue,
  redeliver,
  sealWebhookSecret,
} from '@drydock/db';
import { rangesOfHost } from '@drydock/net';
import { newSecret } from '../../auth/credentials.ts';
import { NotFoundError, UnprocessableError } from '../../lib/errors.ts';

export interface WebhooksServiceDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'sendMany'>;
  secretKey: string;
}

type Row = Prisma.WebhookGetPayload<object>;
type DeliveryRow = Prisma.WebhookDeliveryGetPayload<object>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const deliveryView = (d: DeliveryRow): WebhookDelivery => ({
  id: d.id,
  webhookId: d.webhookId,
  event: d.event,
  status: d.status as WebhookDelivery['status'],
  attempts: d.attempts,
  responseCode: d.responseCode,
  latencyMs: d.latencyMs,
  error: d.error,
  redeliveryOf: d.redeliveryOf,
  createdAt: d.createdAt.toISOString(),
  lastAttemptAt: iso(d.lastAttemptAt),
});

/**
 * Outbound webhooks (unscoped administrators): where, which events about which images, in which
 * format. The signing key is sealed at rest and shown once. A URL that resolves to loopback,
 * link-local or private addresses is refused unless `allowPrivate` is set (the worker checks
 * every connection again, so a later DNS change gains nothing).
 */
export function createWebhooksService(deps: WebhooksServiceDeps) {
  const { prisma } = deps;

  const view = (row: Row, last: DeliveryRow | undefined): Webhook => ({
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as Webhook['events'],
    scope: { instanceIds: row.instanceIds, namespaceIds: row.namespaceIds },
    format: row.format as Webhook['format'],
    allowPrivate: row.allowPrivate,
    enabled: row.enabled,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastDelivery: last ? deliveryView(last) : null,
  });

  const lastDeliveries = async (ids: string[]) => {
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT ON (webhook_id) id FROM webhook_delivery
      WHERE webhook_id = ANY(${ids}::uuid[]) ORDER BY webhook_id, created_at DESC`;
    const deliveries = await prisma.webhookDelivery.findMany({
      where: { id: { in: rows.map((r) => r.id) } },
    });
    return new Map(deliveries.map((d) => [d.webhookId, d]));
  };

  const find = async (id: string) => {
    const row = await prisma.webhook.findUnique({ where: { id } });
    if (!row) throw new NotFoundError(`webhook ${id} not found`);
    return row;
  };

  /** The egress rule, said at once: private targets need the administrator's explicit yes. */
  const checkTarget = async (url: string, allowPrivate: boolean) => {
    if (allowPrivate) return;
    const ranges = await rangesOfHost(new URL(url).hostname);
    if (ranges.length) {
      throw new UnprocessableError(
        'private_address',
        `${new URL(url).host} is a ${ranges.join(', ')} address: set allowPrivate to send there`,
      );
    }
  };

  const checkScope = async (scope: CreateWebhook['scope']) => {
    const instanceIds = scope?.instanceIds ?? [];
    const namespaceIds = scope?.namespaceIds ?? [];
    const [instances, namespaces] = await Promise.all([
      prisma.registryInstance.count({ where: { id: { in: instanceIds } } }),
      prisma.namespace.count({ where: { id: { in: namespaceIds } } }),
    ]);
    if (instances !== instanceIds.length || namespaces !== namespaceIds.length) {
      throw new UnprocessableError(
        'unknown_scope',
        'the scope names an unknown instance or namespace',
      );
    }
    return { instanceIds, namespaceIds };
  };

  return {
    async list(): Promise<Webhook[]> {
      const rows = await prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } });
      const last = await lastDeliveries(rows.map((r) => r.id));
      return rows.map((r) => view(r, last.get(r.id)));
    },

    async get(id: string): Promise<Webhook> {
      const row = await find(id);
      return view(row, (await lastDeliveries([id])).get(id));
    },

    async create(input: CreateWebhook, actor: string): Promise<Webhook & { secret: string }> {
      await checkTarget(input.url, input.allowPrivate);
      const scope = await checkScope(input.scope);
      const id = randomUUID();
      const secret = input.secret ?? newSecret('whsec_');
      const row = await prisma.webhook.create({
        data: {
          id,
          name: input.name ?? new URL(input.url).host,
          url: input.url,
          secretSealed: sealWebhookSecret(deps.secretKey, id, secret),
          events: input.events ?? [],
          ...scope,
          format: input.format,
          allowPrivate: input.allowPrivate,
          createdBy: actor,
        },
      });
      return { ...view(row, undefined), secret };
    },

    async update(id: string, input: UpdateWebhook): Promise<Webhook> {
      const row = await find(id);
      const url = input.url ?? row.url;
      const allowPrivate = input.allowPrivate ?? row.allowPrivate;
      if (input.url !== undefined || input.allowPrivate !== undefined)
        await checkTarget(url, allowPrivate);
      const scope = input.scope ? await checkScope(input.scope) : undefined;
      await prisma.webhook.update({
        where: { id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          url,
          allowPrivate,
          ...(input.events !== undefined ? { events: input.events } : {}),
          ...(scope ?? {}),
          ...(input.format !== undefined ? { format: input.format } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        },
      });
      return this.get(id);
    },

    async remove(id: string): Promise<void> {
      await find(id);
      await prisma.webhook.delete({ where: { id } });
    },

    async deliveries(id: string, page: number, pageSize: number) {
      await find(id);
      const [total, rows] = await Promise.all([
        prisma.webhookDelivery.count({ where: { webhookId: id } }),
        prisma.webhookDelivery.findMany({
          where: { webhookId: id },
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
      ]);
      return { items: rows.map(deliveryView), page, pageSize, total };
    },

    /** The delivery's payload again (same event id), as a new delivery. */
    async redeliver(id: string, deliveryId: string): Promise<WebhookDelivery> {
      const found = await prisma.webhookDelivery.findFirst({
        where: { id: deliveryId, webhookId: id },
        select: { id: true },
      });
      if (!found) throw new NotFoundError(`delivery ${deliveryId} of webhook ${id} not found`);
      const copy = await redeliver(prisma, deps.queue, deliveryId);
      return deliveryView(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: copy } }));
    },

    /** A `ping` event to this webhook only. */
    async test(id: string): Promise<void> {
      const row = await find(id);
      if (!row.enabled) throw new UnprocessableError('disabled', 'the webhook is disabled');
      await emitWebhookEvent(prisma, deps.queue, 'ping', { webhookId: id }, undefined, {
        webhookId: id,
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
