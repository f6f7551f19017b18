import type { AccessScope, Role } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import { digest, newSecret } from '../../auth/credentials.ts';
import {
  can,
  type Principal,
  roleWithin,
  scopeWithin,
  visibilityOf,
} from '../../auth/permissions.ts';
import { securityEvent } from '../../auth/security-log.ts';
import { ForbiddenError, NotFoundError } from '../../lib/errors.ts';
import { checkScopeIds, namespaceInstances, tokenView } from './account-views.ts';

/** API tokens: one's own (everyone's for unscoped administrators). */
export function createTokensService(prisma: PrismaClient, now: () => Date = () => new Date()) {
  return {
    async listTokens(principal: Principal) {
      const rows = await prisma.apiToken.findMany({
        // Everyone's tokens for unscoped administrators; one's own for everybody else.
        where: can(principal, 'admin') ? {} : { userId: principal.userId },
        include: { user: true },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map(tokenView);
    },

    /** A token never exceeds its creator: role within theirs, scope within theirs. */
    async createToken(
      input: { name: string; role: Role; expiresAt?: string } & AccessScope,
      principal: Principal,
      ip: string,
    ) {
      if (principal.kind === 'token') {
        throw new ForbiddenError('tokens cannot create tokens: sign in');
      }
      if (!roleWithin(input.role, principal.role)) {
        throw new ForbiddenError(`a ${principal.role} cannot create a ${input.role} token`);
      }
      await checkScopeIds(prisma, input);
      const wanted = visibilityOf(input);
      const inside = scopeWithin(
        wanted,
        principal.visible,
        await namespaceInstances(prisma, wanted?.namespaceIds ?? []),
      );
      if (!inside) throw new ForbiddenError('the token scope must lie within your own');
      const token = newSecret('ddk_');
      const row = await prisma.apiToken.create({
        data: {
          name: input.name,
          tokenHash: digest(token),
          prefix: token.slice(0, 10),
          role: input.role,
          instanceIds: input.instanceIds,
          namespaceIds: input.namespaceIds,
          userId: principal.userId,
          ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt) } : {}),
        },
        include: { user: true },
      });
      await securityEvent(prisma, {
        actor: principal.name,
        action: 'token.create',
        outcome: 'success',
        target: `${row.name} (${row.prefix}…)`,
        ip,
        detail: { role: row.role },
      });
      return { ...tokenView(row), token };
    },

    async revokeToken(id: string, principal: Principal, ip: string) {
      const row = await prisma.apiToken.findUnique({ where: { id } });
      if (!row || (!can(principal, 'admin') && row.userId !== principal.userId)) {
        throw new NotFoundError(`token ${id} not found`);
      }
      if (!row.revokedAt)
        await prisma.apiToken.update({ where: { id }, data: { revokedAt: now() } });
      await securityEvent(prisma, {
        actor: principal.name,
        action: 'token.revoke',
        outcome: 'success',
        target: `${row.name} (${row.prefix}…)`,
        ip,
      });
    },
  };
}
