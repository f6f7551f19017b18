import type { RegistryPushJob } from '@drydock/contract';
import { openRegistrySecret, type PrismaClient, type Queue, startScan } from '@drydock/db';
import { clientForInstance, type DiscoveryProblem, discoverImages } from '@drydock/registry';
import { storeDiscoveredImages } from './registry-sync.ts';

export interface RegistryPushDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'sendMany'>;
  secretKey: string;
  registryTimeoutMs?: number;
}

export interface RegistryPushResult {
  /** The scan started for the pushed images (absent when none was found under a tag). */
  scanId?: string;
  images: number;
  /** Images that already had a queued or running scan: joined, not queued twice. */
  joined: number;
  problems: DiscoveryProblem[];
}

/**
 * A registry said a tag was pushed: read that one repository's tags (as a sync would, without
 * marking other images gone) and scan the images the pushed digests are: the platform manifest
 * itself, or every platform of a pushed index. A digest no tag points at any more (re-tagged in
 * the meantime) is not scanned.
 */
export function createRegistryPushHandler(deps: RegistryPushDeps) {
  return async (job: RegistryPushJob): Promise<RegistryPushResult> => {
    const { prisma } = deps;
    const instance = await prisma.registryInstance.findUnique({ where: { id: job.instanceId } });
    if (!instance) return { images: 0, joined: 0, problems: [] };
    const problems: DiscoveryProblem[] = [];
    const client = clientForInstance(
      instance,
      (s) => openRegistrySecret(deps.secretKey, instance.id, s),
      deps.registryTimeoutMs ? { timeoutMs: deps.registryTimeoutMs } : {},
    );
    const images = await discoverImages(client, {
      repositories: [job.repository],
      onProblem: (p) => problems.push(p),
    });
    const stored = await storeDiscoveredImages(prisma, instance, images);
    const wanted = new Set(job.digests);
    const imageIds = stored.ids.filter((_, i) => {
      const image = images[i];
      return image && (wanted.has(image.digest) || wanted.has(image.indexDigest ?? ''));
    });
    if (!imageIds.length) return { images: 0, joined: 0, problems };
    const scan = await startScan(prisma, deps.queue, {
      scope: { kind: 'images', imageIds },
      trigger: 'push',
      requestedBy: `registry ${instance.name}`,
    });
    return { scanId: scan.id, images: scan.images, joined: scan.joined, problems };
  };
}
