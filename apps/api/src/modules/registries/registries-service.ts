import { randomUUID } from 'node:crypto';
import type {
  CreateRegistry,
  Namespace,
  Registry,
  RegistryTestResult,
  UpdateRegistry,
} from '@drydock/contract';
import {
  openRegistrySecret,
  Prisma,
  type PrismaClient,
  type Queue,
  SecretError,
  sealRegistrySecret,
} from '@drydock/db';
import { checkRegistry, clientForInstance } from '@drydock/registry';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleInstanceWhere } from '../../auth/visibility.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
} from '../../lib/errors.ts';

export interface RegistriesServiceDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  secretKey: string;
  registryTimeoutMs?: number;
  now?: () => Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type Row = Prisma.RegistryInstanceGetPayload<object>;

/** Adding, changing and removing registries (and their push events) is for unscoped administrators. */
export const unscoped = (visible: Visibility) => {
  if (visible) throw new ForbiddenError('a scoped account cannot manage registries');
};

/** Registry instances: credentials sealed on the way in, never on the way out. */
export function createRegistriesService(deps: RegistriesServiceDeps) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const seal = (id: string, plain: string) => sealRegistrySecret(deps.secretKey, id, plain);

  const view = (row: Row, imageCount: number): Registry => ({
    id: row.id,
    name: row.name,
    url: row.url,
    username: row.username,
    hasCredentials: Boolean(row.secret),
    repositories: row.repositories,
    scanIntervalMinutes: row.scanIntervalMinutes,
    nextScheduledAt: iso(row.nextScheduledAt),
    lastCheckAt: iso(row.lastCheckAt),
    lastCheckOk: row.lastCheckOk,
    lastCheckError: row.lastCheckError,
    lastSyncAt: iso(row.lastSyncAt),
    lastSyncError: row.lastSyncError,
    imageCount,
    eventsEnabled: Boolean(row.eventSecretHash),
    lastEventAt: iso(row.lastEventAt),
    createdAt: row.createdAt.toISOString(),
  });

  const imageCounts = async (ids: string[]) => {
    const rows = await prisma.$queryRaw<{ id: string; n: bigint }[]>`
      SELECT n.instance_id AS id, count(i.id) AS n FROM namespace n
      JOIN repository r ON r.namespace_id = n.id JOIN image i ON i.repository_id = r.id
      WHERE n.instance_id = ANY(${ids}::uuid[]) AND i.gone_at IS NULL GROUP BY n.instance_id`;
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  };

  const find = async (id: string, visible: Visibility = null) => {
    const row = await prisma.registryInstance.findFirst({
      where: { id, ...visibleInstanceWhere(visible) },
    });
    if (!row) throw new NotFoundError(`registry ${id} not found`);
    return row;
  };

  const uniqueName = async <T>(fn: () => Promise<T>, name?: string): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError(`a registry named '${name}' already exists`);
      }
      throw error;
    }
  };

  return {
    async list(visible: Visibility = null): Promise<Registry[]> {
      const rows = await prisma.registryInstance.findMany({
        where: visibleInstanceWhere(visible),
        orderBy: { name: 'asc' },
      });
      const counts = await imageCounts(rows.map((r) => r.id));
      return rows.map((r) => view(r, counts.get(r.id) ?? 0));
    },

    /** The instance's namespaces the principal may see, with repository and image counts. */
    async namespaces(id: string, visible: Visibility = null): Promise<Namespace[]> {
      const row = await find(id, visible);
      const onlySome = visible && !visible.instanceIds.includes(row.id);
      const rows = await prisma.$queryRaw<
        { id: string; name: string; repositories: bigint; images: bigint }[]
      >`
        SELECT n.id, n.name,
          count(DISTINCT r.id) AS repositories,
          count(i.id) FILTER (WHERE i.gone_at IS NULL) AS images
        FROM namespace n
        LEFT JOIN repository r ON r.namespace_id = n.id
        LEFT JOIN image i ON i.repository_id = r.id
        WHERE n.instance_id = ${row.id}::uuid
          AND (${!onlySome} OR n.id = ANY(${visible?.namespaceIds ?? []}::uuid[]))
        GROUP BY n.id, n.name
        ORDER BY n.name`;
      return rows.map((n) => ({
        id: n.id,
        instanceId: row.id,
        name: n.name,
        repositories: Number(n.repositories),
        images: Number(n.images),
      }));
    },

    async get(id: string, visible: Visibility = null): Promise<Registry> {
      const row = await find(id, visible);
      return view(row, (await imageCounts([id])).get(id) ?? 0);
    },

    async create(input: CreateRegistry, visible: Visibility = null): Promise<Registry> {
      unscoped(visible);
      const id = randomUUID();
      const row = await uniqueName(
        () =>
          prisma.registryInstance.create({
            data: {
              id,
              name: input.name,
              url: input.url.replace(/\/+$/, ''),
              username: input.credentials?.username ?? null,
              secret: input.credentials ? seal(id, input.credentials.password) : null,
              repositories: input.repositories,
              scanIntervalMinutes: input.scanIntervalMinutes,
              nextScheduledAt: input.scanIntervalMinutes ? now() : null,
            },
          }),
        input.name,
      );
      return view(row, 0);
    },

    async update(id: string, input: UpdateRegistry, visible: Visibility = null): Promise<Registry> {
      unscoped(visible);
      const current = await find(id);
      // Stored credentials were given for one host: a new host gets them only if they are
      // given again (or removed), so editing a URL cannot send them elsewhere.
      if (
        input.url !== undefined &&
        current.secret &&
        input.credentials === undefined &&
        new URL(input.url).origin !== new URL(current.url).origin
      ) {
        throw new UnprocessableError(
          'credentials_required',
          'the registry moves to another host: give its credentials again (or null for none)',
        );
      }
      const data: Prisma.RegistryInstanceUpdateInput = {};
      if (input.name !== undefined) data.name = input.name;
      if (input.url !== undefined) data.url = input.url.replace(/\/+$/, '');
      if (input.repositories !== undefined) data.repositories = input.repositories;
      if (input.credentials === null) {
        data.username = null;
        data.secret = null;
      } else if (input.credentials) {
        data.username = input.credentials.username;
        data.secret = seal(current.id, input.credentials.password);
      }
      if (input.scanIntervalMinutes !== undefined) {
        data.scanIntervalMinutes = input.scanIntervalMinutes;
        data.nextScheduledAt =
          input.scanIntervalMinutes === null
            ? null
            : new Date(now().getTime() + input.scanIntervalMinutes * 60_000);
      }
      // A new address or new credentials make the last check meaningless.
      if (input.url !== undefined || input.credentials !== undefined) {
        data.lastCheckAt = null;
        data.lastCheckOk = null;
        data.lastCheckError = null;
      }
      await uniqueName(
        () => prisma.registryInstance.update({ where: { id: current.id }, data }),
        input.name,
      );
      return this.get(id);
    },

    async remove(id: string, visible: Visibility = null): Promise<void> {
      unscoped(visible);
      await find(id);
      // Namespaces, repositories, images and their findings go with it (cascades).
      await prisma.registryInstance.delete({ where: { id } });
    },

    /** "Test connection" of a stored instance; the outcome is recorded on it. */
    async test(id: string, visible: Visibility = null): Promise<RegistryTestResult> {
      const row = await find(id, visible);
      let result: RegistryTestResult;
      try {
        result = await checkRegistry(
          clientForInstance(row, (s) => openRegistrySecret(deps.secretKey, row.id, s), {
            timeoutMs: deps.registryTimeoutMs ?? 15_000,
          }),
        );
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
        result = { ok: false, auth: null, error: error.message, code: 'secret_unreadable' };
      }
      await prisma.registryInstance.update({
        where: { id },
        data: { lastCheckAt: now(), lastCheckOk: result.ok, lastCheckError: result.error },
      });
      return result;
    },

    /** "Test connection" before saving: URL and credentials as typed in the form. */
    async testUnsaved(
      input: Pick<CreateRegistry, 'url' | 'credentials'>,
      visible: Visibility = null,
    ) {
      unscoped(visible);
      return checkRegistry(
        clientForInstance(
          {
            url: input.url,
            username: input.credentials?.username ?? null,
            secret: input.credentials?.password ?? null,
          },
          (plain: string) => plain,
          { timeoutMs: deps.registryTimeoutMs ?? 15_000 },
        ),
      );
    },

    async sync(id: string, visible: Visibility = null): Promise<{ jobId: string }> {
      await find(id, visible);
      return { jobId: await deps.queue.send('registry.sync', { instanceId: id, thenScan: false }) };
    },
  };
}

export type RegistriesService = ReturnType<typeof createRegistriesService>;
