import type { SessionInfo } from '@drydock/contract';
import type { PrismaClient } from '@drydock/db';
import {
  DUMMY_HASH,
  digest,
  hashPassword,
  newSecret,
  sameSecret,
  verifyPassword,
} from '../../auth/credentials.ts';
import type { Principal } from '../../auth/permissions.ts';
import { securityEvent } from '../../auth/security-log.ts';
import {
  ConflictError,
  ForbiddenError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../lib/errors.ts';
import { sessionInfo, type UserRow } from './account-views.ts';
import type { LoginThrottle } from './login-throttle.ts';

export const SESSION_HOURS = 12;

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

/** A new session for a user who just proved who they are (password, setup, single sign-on). */
export async function openSession(
  prisma: PrismaClient,
  user: UserRow,
  now: () => Date = () => new Date(),
) {
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

/** First-run setup, sign-in and out, the session, and one's own password. */
export function createSessionService(
  prisma: PrismaClient,
  throttle: LoginThrottle,
  now: () => Date = () => new Date(),
) {
  const openUserSession = (user: UserRow) => openSession(prisma, user, now);

  return {
    async setupNeeded() {
      return (await prisma.user.count()) === 0;
    },

    /** Creates the first admin with the one-time token; then the token is gone. */
    async setup(input: { token: string; username: string; password: string }, ip: string) {
      const row = await prisma.setupToken.findUnique({ where: { id: 1 } });
      if ((await prisma.user.count()) > 0 || !row) {
        throw new ConflictError('an administrator exists already: sign in', 'already_set_up');
      }
      if (!sameSecret(digest(input.token), row.tokenHash)) {
        await securityEvent(prisma, {
          actor: input.username,
          action: 'setup',
          outcome: 'failure',
          ip,
        });
        throw new ForbiddenError(
          'the setup token is wrong (see the API log or <data dir>/setup-token)',
          'bad_setup_token',
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
      return openUserSession(user);
    },

    /**
     * Checks the password (constant work whether or not the user exists) and opens a session;
     * past the throttle's limits the attempt is refused before the password is looked at.
     */
    async login(username: string, password: string, ip: string) {
      const wait = await throttle.retryAfter(ip, username);
      if (wait > 0) {
        await securityEvent(prisma, {
          actor: username,
          action: 'login',
          outcome: 'denied',
          ip,
          detail: { throttled: true },
        });
        throw new TooManyRequestsError(`too many failed sign-ins: try again in ${wait} s`, wait);
      }
      const user = await prisma.user.findUnique({ where: { username } });
      // Single sign-on accounts have no password here: the same work, the same answer.
      const local = user && !user.oidcSubject ? user : undefined;
      const ok = await verifyPassword(password, local?.passwordHash ?? DUMMY_HASH);
      if (!user || !local || !ok || user.disabledAt) {
        await securityEvent(prisma, { actor: username, action: 'login', outcome: 'failure', ip });
        throw new UnauthorizedError('wrong user name or password', 'bad_credentials');
      }
      await securityEvent(prisma, {
        actor: username,
        action: 'login',
        outcome: 'success',
        target: user.id,
        ip,
      });
      return openUserSession(user);
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
        throw new ForbiddenError('sign in to change your password (not with a token)');
      }
      // Guessing the current password is throttled like sign-ins (same security-log counters).
      const wait = await throttle.retryAfter(ip, principal.name);
      if (wait > 0) {
        throw new TooManyRequestsError(`too many wrong passwords: try again in ${wait} s`, wait);
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
        throw new ForbiddenError('the current password is wrong', 'bad_credentials');
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
      return openUserSession(updated);
    },
  };
}
