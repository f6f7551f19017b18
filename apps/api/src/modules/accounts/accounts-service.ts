import type {
  AccessScope,
  ApiToken,
  Role,
  SecurityEvent,
  SecurityLogQuery,
  SessionInfo,
  TriageLogEntry,
  TriageLogQuery,
  User,
} from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import {
  DUMMY_HASH,
  digest,
  hashPassword,
  newSecret,
  sameSecret,
  verifyPassword,
} from '../../auth/credentials.ts';
import {
  can,
  type Principal,
  principalPermissions,
  roleWithin,
  scopeWithin,
  type Visibility,
  visibilityOf,
} from '../../auth/permissions.ts';
import { securityEvent } from '../../auth/security-log.ts';
import { visibleImageWhere } from '../../auth/visibility.ts';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.ts';

export const SESSION_HOURS = 12;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** Filters both audit logs share: actor (substring, any case), action (prefix) and time. */
const logWhere = (q: TriageLogQuery) => ({
  ...(q.actor ? { actor: { contains: q.actor, mode: 'insensitive' as const } } : {}),
  ...(q.action ? { action: { startsWith: q.action } } : {}),
  ...(q.since || q.until
    ? {
        at: {
          ...(q.since ? { gte: new Date(q.since) } : {}),
          ...(q.until ? { lt: new Date(q.until) } : {}),
        },
      }
    : {}),
});

type UserRow = Prisma.UserGetPayload<object>;
const userView = (u: UserRow): User => ({
  id: u.id,
  username: u.username,
  role: u.role,
  instanceIds: u.instanceIds,
  namespaceIds: u.namespaceIds,
  disabled: Boolean(u.disabledAt),
  lastLoginAt: iso(u.lastLoginAt),
  createdAt: u.createdAt.toISOString(),
});

type TokenRow = Prisma.ApiTokenGetPayload<{ include: { user: true } }>;
const tokenView = (t: TokenRow): ApiToken => ({
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

const unique = async <T>(fn: () => Promise<T>, what: string) => {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new ConflictError(`${what} already exists`);
    }
    throw error;
  }
};

/** Issues the one-time setup token when no user exists yet; returns it (or null). */
export async function issueSetupToken(prisma: PrismaClient): Promise<string | null> {
  if ((await prisma.user.count()) > 0) return null;
  const token = newSecret('setup_');
  await prisma.setupToken.upsert({
    where: { id: 1 },
    create: { id: 1, tokenHash: digest(token) },
    update: { tokenHash: digest(token), createdAt: new Date() },
  });
  return token;
}

export function createAccountsService(prisma: PrismaClient, now: () => Date = () => new Date()) {
  const sessionInfo = (user: UserRow, csrfToken: string): SessionInfo => ({
    user: userView(user),
    csrfToken,
    permissions: principalPermissions(user.role, visibilityOf(user)),
  });

  const namespaceInstances = async (ids: string[]) =>
    new Map(
      (
        await prisma.namespace.findMany({
          where: { id: { in: ids } },
          select: { id: true, instanceId: true },
        })
      ).map((n) => [n.id, n.instanceId]),
    );

  const checkScopeIds = async (scope: AccessScope) => {
    const [instances, namespaces] = await Promise.all([
      prisma.registryInstance.count({ where: { id: { in: scope.instanceIds } } }),
      prisma.namespace.count({ where: { id: { in: scope.namespaceIds } } }),
    ]);
    if (
      instances !== new Set(scope.instanceIds).size ||
      namespaces !== new Set(scope.namespaceIds).size
    ) {
      throw new AppError(
        422,
        'unknown_scope',
        'a registry instance or namespace of the scope does not exist',
      );
    }
  };

  async function openSession(user: UserRow) {
    const cookie = newSecret();
    const csrfToken = newSecret();
    await prisma.session.create({
      data: {
        id: digest(cookie),
        userId: user.id,
        csrfToken,
        expiresAt: new Date(now().getTime() + SESSION_HOURS * 3600_000),
      },
    });
    await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: now() } });
    return { cookie, info: sessionInfo(user, csrfToken) };
  }

  return {
    async setupNeeded() {
      return (await prisma.user.count()) === 0;
    },

    /** Creates the first admin with the one-time token; then the token is gone. */
    async setup(input: { token: string; username: string; password: string }, ip: string) {
      const row = await prisma.setupToken.findUnique({ where: { id: 1 } });
      if ((await prisma.user.count()) > 0 || !row) {
        throw new AppError(409, 'already_set_up', 'an administrator exists already: sign in');
      }
      if (!sameSecret(digest(input.token), row.tokenHash)) {
        await securityEvent(prisma, {
          actor: input.username,
          action: 'setup',
          outcome: 'failure',
          ip,
        });
        throw new AppError(
          403,
          'bad_setup_token',
          'the setup token is wrong (see the API log or <data dir>/setup-token)',
        );
      }
      const user = await prisma.$transaction(async (tx) => {
        await tx.setupToken.delete({ where: { id: 1 } });
        return tx.user.create({
          data: {
            username: input.username,
            passwordHash: await hashPassword(input.password),
            role: 'admin',
          },
        });
      });
      await securityEvent(prisma, {
        actor: user.username,
        action: 'setup',
        outcome: 'success',
        target: user.id,
        ip,
      });
      return openSession(user);
    },

    /** Checks the password (constant work whether or not the user exists) and opens a session. */
    async login(username: string, password: string, ip: string) {
      const user = await prisma.user.findUnique({ where: { username } });
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || user.disabledAt) {
        await securityEvent(prisma, { actor: username, action: 'login', outcome: 'failure', ip });
        return undefined;
      }
      await securityEvent(prisma, {
        actor: username,
        action: 'login',
        outcome: 'success',
        target: user.id,
        ip,
      });
      return openSession(user);
    },

    async logout(principal: Principal, ip: string) {
      if (principal.sessionId)
        await prisma.session.deleteMany({ where: { id: principal.sessionId } });
      await securityEvent(prisma, {
        actor: principal.name,
        action: 'logout',
        outcome: 'success',
        ip,
      });
    },

    async session(principal: Principal): Promise<SessionInfo> {
      const user = await prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
      const info = sessionInfo(user, principal.csrfToken ?? '');
      // A token acts with its own role and scope, which may be narrower than its owner's.
      return {
        ...info,
        user: {
          ...info.user,
          role: principal.role,
          ...(principal.visible ?? { instanceIds: [], namespaceIds: [] }),
        },
        permissions: [...principal.permissions],
      };
    },

    async listUsers() {
      return (await prisma.user.findMany({ orderBy: { username: 'asc' } })).map(userView);
    },

    async createUser(
      input: { username: string; password: string; role: Role } & AccessScope,
      actor: Principal,
      ip: string,
    ) {
      await checkScopeIds(input);
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
        throw new AppError(409, 'self_lockout', 'you cannot demote, scope or disable yourself');
      }
      await checkScopeIds({
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
        throw new AppError(403, 'forbidden', 'tokens cannot create tokens: sign in');
      }
      if (!roleWithin(input.role, principal.role)) {
        throw new AppError(
          403,
          'forbidden',
          `a ${principal.role} cannot create a ${input.role} token`,
        );
      }
      await checkScopeIds(input);
      const wanted = visibilityOf(input);
      const inside = scopeWithin(
        wanted,
        principal.visible,
        await namespaceInstances(wanted?.namespaceIds ?? []),
      );
      if (!inside) throw new AppError(403, 'forbidden', 'the token scope must lie within your own');
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

    /**
     * A signed-in user's own password: the current one must be right (a failure is logged and
     * counted by the sign-in throttle). Every session of the user ends, and a new one is opened
     * for this browser, so a stolen cookie does not survive the change.
     */
    async changePassword(
      principal: Principal,
      input: { currentPassword: string; newPassword: string },
      ip: string,
    ) {
      if (principal.kind !== 'session') {
        throw new AppError(403, 'forbidden', 'sign in to change your password (not with a token)');
      }
      const user = await prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
      if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
        await securityEvent(prisma, {
          actor: user.username,
          action: 'password.change',
          outcome: 'failure',
          target: user.username,
          ip,
        });
        return undefined;
      }
      const updated = await prisma.$transaction(async (tx) => {
        await tx.session.deleteMany({ where: { userId: user.id } });
        return tx.user.update({
          where: { id: user.id },
          data: { passwordHash: await hashPassword(input.newPassword) },
        });
      });
      await securityEvent(prisma, {
        actor: user.username,
        action: 'password.change',
        outcome: 'success',
        target: user.username,
        ip,
        detail: { otherSessionsEnded: true },
      });
      return openSession(updated);
    },

    /**
     * Every triage decision, newest first (the auditor's view across all findings); a scoped
     * auditor sees the decisions on the images of its scope only.
     */
    async triageLog(query: TriageLogQuery, visible: Visibility = null) {
      const where: Prisma.TriageEventWhereInput = logWhere(query);
      if (visible) {
        const images = await prisma.image.findMany({
          where: visibleImageWhere(visible),
          select: { id: true },
        });
        where.imageId = { in: images.map((i) => i.id) };
      }
      const [total, rows] = await Promise.all([
        prisma.triageEvent.count({ where }),
        prisma.triageEvent.findMany({
          where,
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          skip: (query.page - 1) * query.pageSize,
          take: query.pageSize,
        }),
      ]);
      return {
        total,
        page: query.page,
        pageSize: query.pageSize,
        items: rows.map(
          (e): TriageLogEntry => ({
            at: e.at.toISOString(),
            actor: e.actor,
            action: e.action,
            kind: e.kind,
            targetId: e.targetId,
            oldStatus: e.oldStatus,
            newStatus: e.newStatus,
            reason: e.reason,
            scope: e.scope,
            imageId: e.imageId,
          }),
        ),
      };
    },

    async securityLog(query: SecurityLogQuery) {
      const where: Prisma.SecurityEventWhereInput = {
        ...logWhere(query),
        ...(query.outcome ? { outcome: query.outcome } : {}),
      };
      const [total, rows] = await Promise.all([
        prisma.securityEvent.count({ where }),
        prisma.securityEvent.findMany({
          where,
          orderBy: { id: 'desc' },
          skip: (query.page - 1) * query.pageSize,
          take: query.pageSize,
        }),
      ]);
      return {
        total,
        page: query.page,
        pageSize: query.pageSize,
        items: rows.map(
          (r): SecurityEvent => ({
            id: r.id.toString(),
            at: r.at.toISOString(),
            actor: r.actor,
            action: r.action,
            outcome: r.outcome as SecurityEvent['outcome'],
            target: r.target,
            ip: r.ip,
            detail:
              r.detail && typeof r.detail === 'object' && !Array.isArray(r.detail)
                ? (r.detail as Record<string, unknown>)
                : null,
          }),
        ),
      };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
