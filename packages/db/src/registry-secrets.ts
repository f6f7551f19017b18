import type { PrismaClient } from './client.ts';
import { isLegacySecret, openSecret, sealSecret } from './secrets.ts';

/** A registry instance's stored password/token, opened (it is bound to the instance's id). */
export const openRegistrySecret = (secretKey: string, instanceId: string, sealed: string) =>
  openSecret(secretKey, 'registry', sealed, instanceId);

export const sealRegistrySecret = (secretKey: string, instanceId: string, plaintext: string) =>
  sealSecret(secretKey, 'registry', plaintext, instanceId);

/**
 * Seals again, bound to their row, the registry secrets stored before values were bound to rows
 * (`v1.`). Idempotent; a value that does not open (another key) is left as it is. Returns how
 * many were rewritten.
 */
export async function resealLegacySecrets(
  prisma: PrismaClient,
  secretKey: string,
): Promise<number> {
  const rows = await prisma.registryInstance.findMany({
    where: { secret: { startsWith: 'v1.' } },
    select: { id: true, secret: true },
  });
  let n = 0;
  for (const row of rows) {
    if (!row.secret || !isLegacySecret(row.secret)) continue;
    let plain: string;
    try {
      plain = openRegistrySecret(secretKey, row.id, row.secret);
    } catch {
      continue;
    }
    const done = await prisma.registryInstance.updateMany({
      where: { id: row.id, secret: row.secret },
      data: { secret: sealRegistrySecret(secretKey, row.id, plain) },
    });
    n += done.count;
  }
  return n;
}
