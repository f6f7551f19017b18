import {
  DistributionEventsSchema,
  HarborEventSchema,
  type RegistryEventSecret,
  type RegistryEventsAccepted,
} from '@drydock/contract';
import type { PrismaClient, Queue } from '@drydock/db';
import { digest, newSecret, sameSecret } from '../../auth/credentials.ts';
import type { Visibility } from '../../auth/permissions.ts';
import { NotFoundError, UnauthorizedError, UnprocessableError } from '../../lib/errors.ts';

import { unscoped } from './registries-service.ts';

export interface RegistryEventsDeps {
  prisma: PrismaClient;
  queue: Pick<Queue, 'send'>;
  now?: () => Date;
}

/** Manifest and index media types: a push of one of these under a tag is an image push. */
const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
]);
/** The Docker Distribution repository name grammar (lowercase path components). */
const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_DIGESTS_PER_JOB = 100;

/** The secret a notification carries, in the places registries put it. */
export function eventSecretOf(headers: Record<string, string | string[] | undefined>) {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const authorization = one('authorization')?.trim();
  if (authorization) return authorization.replace(/^Bearer\s+/i, '');
  return one('x-drydock-event-secret') ?? one('x-gitlab-token');
}

/**
 * The pushes a notification reports: Docker Distribution events (action `push` of a manifest
 * under a tag) or a Harbor `PUSH_ARTIFACT` webhook; anything else is counted as ignored.
 * Repository names and digests are checked against their grammars (hostile input).
 */
export function pushesOf(body: unknown): { pushes: Map<string, Set<string>>; ignored: number } {
  const pushes = new Map<string, Set<string>>();
  let ignored = 0;
  const add = (repository: string | undefined, digestValue: string | undefined) => {
    if (!repository || !digestValue || !REPOSITORY.test(repository) || !DIGEST.test(digestValue)) {
      ignored++;
      return;
    }
    pushes.set(repository, (pushes.get(repository) ?? new Set()).add(digestValue));
  };
  const distribution = DistributionEventsSchema.safeParse(body);
  if (distribution.success) {
    for (const event of distribution.data.events) {
      const t = event.target;
      const manifest = t?.mediaType === undefined || MANIFEST_TYPES.has(t.mediaType);
      if (event.action !== 'push' || !t?.tag || !manifest) ignored++;
      else add(t.repository, t.digest);
    }
    return { pushes, ignored };
  }
  const harbor = HarborEventSchema.safeParse(body);
  if (harbor.success) {
    const data = harbor.data.event_data;
    for (const resource of data.resources ?? []) {
      if (harbor.data.type !== 'PUSH_ARTIFACT' || !resource.tag) ignored++;
      else add(data.repository?.repo_full_name, resource.digest);
    }
    return { pushes, ignored };
  }
  throw new UnprocessableError(
    'not_a_notification',
    'not a registry notification: expected Docker Distribution events ({ events: [...] }) or a Harbor webhook ({ type, event_data })',
  );
}

/** Push events: a per-registry secret, and the notifications it authenticates. */
export function createRegistryEventsService(deps: RegistryEventsDeps) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    /** A new secret (the old one stops working); shown once. Unscoped administrators only. */
    async setSecret(
      id: string,
      endpoint: string,
      visible: Visibility,
    ): Promise<RegistryEventSecret> {
      unscoped(visible);
      const secret = newSecret('ddr_');
      const updated = await prisma.registryInstance.updateMany({
        where: { id },
        data: { eventSecretHash: digest(secret) },
      });
      if (!updated.count) throw new NotFoundError(`registry ${id} not found`);
      return {
        secret,
        url: endpoint,
        distributionConfig: [
          'notifications:',
          '  endpoints:',
          '    - name: drydock',
          `      url: ${endpoint}`,
          '      headers:',
          `        Authorization: [Bearer ${secret}]`,
          '      timeout: 5s',
          '      threshold: 5',
          '      backoff: 10s',
          '      ignoredmediatypes:',
          '        - application/octet-stream',
          '',
        ].join('\n'),
      };
    },

    async disable(id: string, visible: Visibility): Promise<void> {
      unscoped(visible);
      const updated = await prisma.registryInstance.updateMany({
        where: { id },
        data: { eventSecretHash: null },
      });
      if (!updated.count) throw new NotFoundError(`registry ${id} not found`);
    },

    /**
     * A notification from the registry: authenticated by its secret (an unknown registry and a
     * wrong secret get the same answer), each pushed repository queued for the worker, which
     * reads its tags and scans the pushed digests (joining scans already queued).
     */
    async accept(
      id: string,
      secret: string | undefined,
      body: unknown,
    ): Promise<RegistryEventsAccepted> {
      const row = await prisma.registryInstance.findUnique({
        where: { id },
        select: { eventSecretHash: true },
      });
      if (!secret || !row?.eventSecretHash || !sameSecret(digest(secret), row.eventSecretHash)) {
        throw new UnauthorizedError('unknown registry or wrong event secret');
      }
      const { pushes, ignored } = pushesOf(body);
      let queued = 0;
      for (const [repository, digests] of pushes) {
        const list = [...digests];
        for (let i = 0; i < list.length; i += MAX_DIGESTS_PER_JOB) {
          const chunk = list.slice(i, i + MAX_DIGESTS_PER_JOB);
          await deps.queue.send('registry.push', { instanceId: id, repository, digests: chunk });
          queued += chunk.length;
        }
      }
      await prisma.registryInstance.update({ where: { id }, data: { lastEventAt: now() } });
      return { queued, ignored };
    },
  };
}

export type RegistryEventsService = ReturnType<typeof createRegistryEventsService>;
