import type { RegistryCheckJob } from '@drydock/contract';
import { openRegistrySecret, type PrismaClient } from '@drydock/db';
import { type CheckResult, checkRegistry, clientForInstance } from '@drydock/registry';

export interface RegistryCheckDeps {
  prisma: Pick<PrismaClient, 'registryInstance'>;
  secretKey: string;
  now?: () => Date;
  timeoutMs?: number;
}

/**
 * Checks that a registry speaks the v2 API and accepts the stored credentials (`GET /v2/`, with
 * the Basic or token handshake it asks for) and records the outcome on the instance.
 */
export function createRegistryCheckHandler(deps: RegistryCheckDeps) {
  const now = deps.now ?? (() => new Date());
  return async (job: RegistryCheckJob): Promise<CheckResult> => {
    const instance = await deps.prisma.registryInstance.findUnique({
      where: { id: job.instanceId },
    });
    // A registry removed after the job was queued: nothing to check, and nothing to retry.
    if (!instance) {
      return {
        ok: false,
        auth: null,
        error: 'registry instance no longer exists',
        code: 'not_found',
      };
    }
    let result: CheckResult;
    try {
      const client = clientForInstance(
        instance,
        (s) => openRegistrySecret(deps.secretKey, instance.id, s),
        {
          ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
        },
      );
      result = await checkRegistry(client);
    } catch (error) {
      result = { ok: false, auth: null, error: (error as Error).message, code: 'config' };
    }
    await deps.prisma.registryInstance.update({
      where: { id: job.instanceId },
      data: { lastCheckAt: now(), lastCheckOk: result.ok, lastCheckError: result.error },
    });
    return result;
  };
}
