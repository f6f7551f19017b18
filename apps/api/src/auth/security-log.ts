import type { SecurityAction } from '@drydock/contract';
import type { Prisma, PrismaClient } from '@drydock/db';

export interface SecurityEventInput {
  actor: string;
  action: SecurityAction;
  outcome: 'success' | 'failure' | 'denied';
  target?: string | null;
  ip?: string | null;
  detail?: Prisma.InputJsonValue;
}

/** Appends to the security log (the table refuses updates and deletes). Never throws. */
export async function securityEvent(prisma: PrismaClient, e: SecurityEventInput): Promise<void> {
  await prisma.securityEvent
    .create({
      data: {
        actor: e.actor,
        action: e.action,
        outcome: e.outcome,
        target: e.target ?? null,
        ip: e.ip ?? null,
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      },
    })
    .catch(() => undefined);
}
