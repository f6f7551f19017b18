import type { AccessScope, ApiToken, SessionInfo, User } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import { principalPermissions, visibilityOf } from '../../auth/permissions.ts';
import { ConflictError, UnprocessableError } from '../../lib/errors.ts';

/** What the account services share: row views, unique-name errors and scope checks. */

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type UserRow = Prisma.UserGetPayload<object>;
export const userView = (u: UserRow): User => ({
  id: u.id,
  username: u.username,
  role: u.role,
  instanceIds: u.instanceIds,
  namespaceIds: u.namespaceIds,
  disabled: Boolean(u.disabledAt),
  sso: Boolean(u.oidcSubject),
  lastLoginAt: iso(u.lastLoginAt),
  createdAt: u.createdAt.toISOString(),
});

export const sessionInfo = (user: UserRow, csrfToken: string): SessionInfo => ({
  user: userView(user),
  csrfToken,
  permissions: principalPermissions(user.role, visibilityOf(user)),
});

type TokenRow = Prisma.ApiTokenGetPayload<{ include: { user: true } }>;
export const tokenView = (t: TokenRow): ApiToken => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  role: t.role,
  instanceIds: t.instanceIds,
  namespaceIds: t.namespaceIds,
  owner: t.user.username,
  createdAt: t.createdAt.toISOString(),
  expiresAt: iso(t.expiresAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});

/** Runs a create; a unique violation becomes a 409 naming `what`. */
export const unique = async <T>(fn: () => Promise<T>, what: string) => {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new ConflictError(`${what} already exists`);
    }
    throw error;
  }
};

/** The instance of each namespace id (for "does this scope lie within that one"). */
export async function namespaceInstances(prisma: PrismaClient, ids: string[]) {
  const rows = await prisma.namespace.findMany({
    where: { id: { in: ids } },
    select: { id: true, instanceId: true },
  });
  return new Map(rows.map((n) => [n.id, n.instanceId]));
}

/** Every instance and namespace of a scope exists (else 422). */
export async function checkScopeIds(prisma: PrismaClient, scope: AccessScope): Promise<void> {
  const [instances, namespaces] = await Promise.all([
    prisma.registryInstance.count({ where: { id: { in: scope.instanceIds } } }),
    prisma.namespace.count({ where: { id: { in: scope.namespaceIds } } }),
  ]);
  if (
    instances !== new Set(scope.instanceIds).size ||
    namespaces !== new Set(scope.namespaceIds).size
  ) {
    throw new UnprocessableError(
      'unknown_scope',
      'a registry instance or namespace of the scope does not exist',
    );
  }
}
