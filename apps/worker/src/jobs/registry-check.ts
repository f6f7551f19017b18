import type { RegistryCheckJob } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';

export interface RegistryCheckDeps {
  prisma: Pick<PrismaClient, 'registryInstance'>;
  fetch?: typeof fetch;
  now?: () => Date;
  timeoutMs?: number;
}

export type RegistryCheckResult = { ok: true } | { ok: false; error: string };

/**
 * Probes the Docker Registry v2 base endpoint (`GET /v2/`). 200 means a v2 registry; 401 means a
 * v2 registry that wants credentials, which is still reachable. Anything else is recorded as the
 * reason the registry cannot be used.
 */
export async function probeRegistry(
  baseUrl: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 10_000,
): Promise<RegistryCheckResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v2/`;
  try {
    const response = await fetchImpl(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
    await response.body?.cancel();
    if (response.status === 200 || response.status === 401) return { ok: true };
    return { ok: false, error: `GET ${url} answered HTTP ${response.status}` };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    return { ok: false, error: `GET ${url} failed: ${message}` };
  }
}

export function createRegistryCheckHandler(deps: RegistryCheckDeps) {
  const now = deps.now ?? (() => new Date());
  return async (job: RegistryCheckJob): Promise<RegistryCheckResult> => {
    const instance = await deps.prisma.registryInstance.findUnique({
      where: { id: job.instanceId },
      select: { url: true },
    });
    // A registry removed after the job was queued: nothing to check, and nothing to retry.
    if (!instance) return { ok: false, error: 'registry instance no longer exists' };
    const result = await probeRegistry(instance.url, deps.fetch, deps.timeoutMs);
    await deps.prisma.registryInstance.update({
      where: { id: job.instanceId },
      data: {
        lastCheckAt: now(),
        lastCheckOk: result.ok,
        lastCheckError: result.ok ? null : result.error,
      },
    });
    return result;
  };
}
