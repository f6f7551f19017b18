import type { PrismaClient } from './client.ts';

/** Images noted as changed whose fix plan rows are not yet refreshed. */
export async function pendingFixActions(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM fix_action_dirty`;
  return Number(row?.n ?? 0);
}

/**
 * Folds images noted as changed into the fix plan's rows (refresh_dirty_fix_actions, each batch
 * its own transaction), until none is left, `batches` batches ran, or the time `until` passed.
 * Returns how many images it refreshed.
 */
export async function refreshFixActions(
  prisma: PrismaClient,
  options: { batch?: number; batches?: number; until?: number } = {},
): Promise<number> {
  const { batch = 500, batches = Number.POSITIVE_INFINITY, until } = options;
  let refreshed = 0;
  for (let i = 0; i < batches && (until === undefined || Date.now() < until); i++) {
    const [done] = await prisma.$queryRaw<{ n: number }[]>`
      SELECT refresh_dirty_fix_actions(${batch}) AS n`;
    if (!done?.n) break;
    refreshed += done.n;
  }
  return refreshed;
}
