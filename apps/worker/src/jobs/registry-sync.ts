import type { RegistrySyncJob, RegistrySyncResult } from '@drydock/contract';
import { openRegistrySecret, type PrismaClient, type Queue, startScan } from '@drydock/db';
import {
  clientForInstance,
  type DiscoveredImage,
  type DiscoveryProblem,
  discoverImages,
  RegistryError,
} from '@drydock/registry';

export interface RegistrySyncDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'sendMany'>;
  secretKey: string;
  registryTimeoutMs?: number;
  now?: () => Date;
}

/**
 * Walks a registry (its catalog, or the configured repositories) into instance → namespace →
 * repository → image (platform manifest digest, tags, platform, size). Images no longer reachable
 * by any tag are marked gone (their findings stay for the record, they leave the scans).
 */
export async function syncRegistry(
  deps: RegistrySyncDeps,
  instanceId: string,
): Promise<RegistrySyncResult> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const instance = await prisma.registryInstance.findUnique({ where: { id: instanceId } });
  if (!instance) throw new RegistryError('not_found', 'registry instance no longer exists');
  const problems: DiscoveryProblem[] = [];
  try {
    const client = clientForInstance(
      instance,
      (s) => openRegistrySecret(deps.secretKey, instance.id, s),
      {
        ...(deps.registryTimeoutMs ? { timeoutMs: deps.registryTimeoutMs } : {}),
      },
    );
    const images = await discoverImages(client, {
      ...(instance.repositories.length ? { repositories: instance.repositories } : {}),
      onProblem: (p) => problems.push(p),
    });
    const stored = await storeDiscoveredImages(prisma, instance, images);
    const seen = new Set(stored.ids);
    const { added } = stored;
    // Images no tag points at any more have left the registry: their open findings stop counting
    // (resolved; ignored and handled ones keep their triage), the image row stays for the record.
    const goneWhere = {
      id: { notIn: [...seen] },
      goneAt: null,
      repository: { namespace: { instanceId } },
    };
    const goneIds = (await prisma.image.findMany({ where: goneWhere, select: { id: true } })).map(
      (i) => i.id,
    );
    const gone = { count: goneIds.length };
    if (goneIds.length) {
      const at = now();
      await prisma.$transaction([
        prisma.image.updateMany({ where: { id: { in: goneIds } }, data: { goneAt: at, tags: [] } }),
        prisma.finding.updateMany({
          where: { imageId: { in: goneIds }, status: 'open' },
          data: { status: 'resolved', resolvedAt: at },
        }),
        prisma.sampleFinding.updateMany({
          where: { imageId: { in: goneIds }, status: 'open' },
          data: { status: 'resolved', resolvedAt: at },
        }),
      ]);
    }
    await prisma.registryInstance.update({
      where: { id: instanceId },
      data: { lastSyncAt: now(), lastSyncError: null },
    });
    return {
      repositories: stored.repositories,
      images: images.length,
      added,
      gone: gone.count,
      problems: problems.slice(0, 100),
    };
  } catch (error) {
    await prisma.registryInstance.update({
      where: { id: instanceId },
      data: { lastSyncAt: now(), lastSyncError: (error as Error).message },
    });
    throw error;
  }
}

/**
 * Stores what a walk of (part of) a registry found: namespace and repository rows once per
 * repository path, each image (platform manifest digest) with its tags, platform and size.
 * Returns the image ids in the order of `images` and how many were new.
 */
export async function storeDiscoveredImages(
  prisma: PrismaClient,
  instance: { id: string; url: string },
  images: DiscoveredImage[],
): Promise<{ ids: string[]; added: number; repositories: number }> {
  const host = new URL(instance.url).host;
  const ids: string[] = [];
  let added = 0;
  const repositories = new Map<string, string>();
  for (const image of images) {
    let repositoryId = repositories.get(image.path);
    if (!repositoryId) {
      const namespace = await prisma.namespace.upsert({
        where: { instanceId_name: { instanceId: instance.id, name: image.namespace } },
        create: { instanceId: instance.id, name: image.namespace },
        update: {},
      });
      const repository = await prisma.repository.upsert({
        where: { namespaceId_name: { namespaceId: namespace.id, name: image.repository } },
        create: { namespaceId: namespace.id, name: image.repository },
        update: {},
      });
      repositoryId = repository.id;
      repositories.set(image.path, repositoryId);
    }
    const data = {
      tags: image.tags,
      // Single-manifest images get their platform from the config when scanned.
      ...(image.platform ? { platform: image.platform } : {}),
      mediaType: image.mediaType,
      indexDigest: image.indexDigest ?? null,
      layerCount: image.layerCount,
      sizeBytes: BigInt(image.size),
      goneAt: null,
      name: `${host}/${image.path}:${image.tags[0]}`,
    };
    const existing = await prisma.image.findUnique({
      where: { repositoryId_digest: { repositoryId, digest: image.digest } },
      select: { id: true },
    });
    const row = existing
      ? await prisma.image.update({ where: { id: existing.id }, data, select: { id: true } })
      : await prisma.image.create({
          data: { repositoryId, digest: image.digest, ...data },
          select: { id: true },
        });
    if (!existing) added++;
    ids.push(row.id);
  }
  return { ids, added, repositories: repositories.size };
}

export function createRegistrySyncHandler(deps: RegistrySyncDeps) {
  return async (job: RegistrySyncJob) => {
    let result: RegistrySyncResult;
    try {
      result = await syncRegistry(deps, job.instanceId);
    } catch (error) {
      // The reason is on the instance (lastSyncError); retrying a refused login helps nobody.
      if (error instanceof RegistryError) return { failed: error.message };
      throw error;
    }
    if (!job.thenScan) return result;
    const scan = await startScan(deps.prisma, deps.queue, {
      scope: { kind: 'instance', instanceId: job.instanceId },
      trigger: 'schedule',
    });
    return { ...result, scanId: scan.id };
  };
}
