import type { AccessScope, Role } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import { hashPassword } from '../../auth/credentials.ts';
import type { Principal } from '../../auth/permissions.ts';
import { securityEvent } from '../../auth/security-log.ts';
import { ConflictError, NotFoundError } from '../../lib/errors.ts';
import { checkScopeIds, unique, userView } from './account-views.ts';

/** User management (unscoped administrators; the route's `admin` permission guarantees it). */
export function createUsersService(prisma: PrismaClient, now: () => Date = () => new Date()) {
  return {
    async listUsers() {
      return (await prisma.user.findMany({ orderBy: { username: 'asc' } })).map(userView);
    },

    async createUser(
      input: { username: string; password: string; role: Role } & AccessScope,
      actor: Principal,
      ip: string,
    ) {
      await checkScopeIds(prisma, input);
      const user = await unique(
        async () =>
          prisma.user.create({
            data: {
              username: input.username,
              passwordHash: await hashPassword(input.password),
              role: input.role,
              instanceIds: input.instanceIds,
              namespaceIds: input.namespaceIds,
            },
          }),
        `a user named '${input.username}'`,
      );
      await securityEvent(prisma, {
        actor: actor.name,
        action: 'user.create',
        outcome: 'success',
        target: user.username,
        ip,
        detail: { role: user.role, instanceIds: user.instanceIds, namespaceIds: user.namespaceIds },
      });
      return userView(user);
    },

    async updateUser(
      id: string,
      input: {
        password?: string;
        role?: Role;
        instanceIds?: string[];
        namespaceIds?: string[];
        disabled?: boolean;
      },
      actor: Principal,
      ip: string,
    ) {
      const current = await prisma.user.findUnique({ where: { id } });
      if (!current) throw new NotFoundError(`user ${id} not found`);
      const scopesSelf = Boolean(input.instanceIds?.length || input.namespaceIds?.length);
      if (
        id === actor.userId &&
        ((input.role && input.role !== 'admin') || input.disabled || scopesSelf)
      ) {
        throw new ConflictError('you cannot demote, scope or disable yourself', 'self_lockout');
      }
      await checkScopeIds(prisma, {
        instanceIds: input.instanceIds ?? [],
        namespaceIds: input.namespaceIds ?? [],
      });
      const user = await prisma.user.update({
        where: { id },
        data: {
          ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
          ...(input.role ? { role: input.role } : {}),
          ...(input.instanceIds ? { instanceIds: input.instanceIds } : {}),
          ...(input.namespaceIds ? { namespaceIds: input.namespaceIds } : {}),
          ...(input.disabled !== undefined ? { disabledAt: input.disabled ? now() : null } : {}),
        },
      });
      // New password, role, scope or a disable: the user's sessions end now.
      await prisma.session.deleteMany({ where: { userId: id } });
      await securityEvent(prisma, {
        actor: actor.name,
        action: 'user.update',
        outcome: 'success',
        target: user.username,
        ip,
        detail: { ...input, ...(input.password ? { password: 'changed' } : {}) },
      });
      return userView(user);
    },
  };
}
