import type { PrismaClient } from '@drydock/db';
import { createAuditLogService } from './audit-log-service.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { createSessionService } from './session-service.ts';
import { createTokensService } from './tokens-service.ts';
import { createUsersService } from './users-service.ts';

export { issueSetupToken, SESSION_HOURS } from './session-service.ts';

/** The accounts module: sessions, users, tokens and audit logs, each in its own service. */
export function createAccountsService(
  prisma: PrismaClient,
  throttle: LoginThrottle,
  now: () => Date = () => new Date(),
) {
  return {
    ...createSessionService(prisma, throttle, now),
    ...createUsersService(prisma, now),
    ...createTokensService(prisma, now),
    ...createAuditLogService(prisma),
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
