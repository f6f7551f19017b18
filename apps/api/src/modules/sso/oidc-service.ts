import { createHash } from 'node:crypto';
import type { PrismaClient } from '@drydock/db';
import * as client from 'openid-client';
import { digest, hashPassword, newSecret } from '../../auth/credentials.ts';
import { securityEvent } from '../../auth/security-log.ts';
import { openSession } from '../accounts/session-service.ts';
import { matchRule, type OidcConfig } from './oidc-config.ts';

/** A sign-in in progress lives this long. */
const PENDING_MS = 10 * 60_000;

export class SsoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SsoError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

/**
 * OpenID Connect sign-in (authorization code + PKCE, with state and nonce) with openid-client:
 * the provider's metadata is discovered on first use; accounts are made on first sign-in and
 * take their role and scope from the provider's claims at every sign-in (`DRYDOCK_OIDC_ROLES`,
 * first matching rule; no match, no entry). Local accounts keep signing in with passwords.
 */
export function createOidcService(
  prisma: PrismaClient,
  config: OidcConfig,
  now: () => Date = () => new Date(),
) {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= (async () => {
      const issuer = new URL(config.issuer);
      // Plain http only to a provider on this machine (development, tests).
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      return client.discovery(
        issuer,
        config.clientId,
        config.clientSecret,
        config.clientSecret ? undefined : client.None(),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    })().catch((error) => {
      discovered = undefined;
      throw new SsoError(
        'sso_unavailable',
        `the identity provider cannot be reached: ${(error as Error).message}`,
      );
    });
    return discovered;
  };

  const redirectUri = (origin: string) =>
    config.redirectUrl ?? `${origin}/api/v1/auth/oidc/callback`;

  /** The user's account: found by issuer and subject; made on first sign-in. */
  async function account(claims: Record<string, unknown>, subject: string) {
    const existing = await prisma.user.findUnique({
      where: { oidcIssuer_oidcSubject: { oidcIssuer: config.issuer, oidcSubject: subject } },
    });
    const rule = matchRule(config.rules, claims);
    if (!rule) return { existing, rule: undefined };
    const instanceNames = rule.scope.filter((s) => !s.includes('/'));
    const namespaceNames = rule.scope.filter((s) => s.includes('/'));
    const instances = await prisma.registryInstance.findMany({
      where: {
        name: { in: [...instanceNames, ...namespaceNames.map((n) => n.split('/')[0] as string)] },
      },
      select: { id: true, name: true },
    });
    const byName = new Map(instances.map((i) => [i.name, i.id]));
    const namespaces = namespaceNames.length
      ? await prisma.namespace.findMany({
          where: {
            OR: namespaceNames.map((n) => {
              const [instance, ...rest] = n.split('/');
              return { instanceId: byName.get(instance as string) ?? '', name: rest.join('/') };
            }),
          },
          select: { id: true },
        })
      : [];
    const instanceIds = instanceNames.flatMap((n) => byName.get(n) ?? []);
    const namespaceIds = namespaces.map((n) => n.id);
    // A scoped rule whose instances and namespaces do not exist (yet) must not mean "everything".
    if (rule.scope.length && !instanceIds.length && !namespaceIds.length) {
      throw new SsoError(
        'sso_scope_unknown',
        `the role rule for ${rule.claim}=${rule.value} names registries or namespaces that do not exist: ${rule.scope.join(', ')}`,
      );
    }
    const access = { role: rule.role, instanceIds, namespaceIds };
    if (existing) {
      return {
        rule,
        user: await prisma.user.update({ where: { id: existing.id }, data: access }),
        created: false,
      };
    }
    const wanted = [claims.preferred_username, claims.email, subject].find(
      (v): v is string => typeof v === 'string' && USERNAME.test(v) && v.length <= 60,
    );
    const base = wanted ?? `sso-${createHash('sha256').update(subject).digest('hex').slice(0, 8)}`;
    // Never an existing local account's name: that would hand its sessions' identity to the IdP.
    const taken = await prisma.user.findUnique({ where: { username: base } });
    const username = taken
      ? `${base.slice(0, 50)}-${createHash('sha256').update(`${config.issuer}|${subject}`).digest('hex').slice(0, 6)}`
      : base;
    const user = await prisma.user.create({
      data: {
        username,
        // No password works for this account: it signs in at the identity provider.
        passwordHash: await hashPassword(newSecret()),
        oidcIssuer: config.issuer,
        oidcSubject: subject,
        ...access,
      },
    });
    return { rule, user, created: true };
  }

  return {
    label: config.label,

    /** Starts a sign-in: where to send the browser, and the binding cookie's value. */
    async start(origin: string) {
      const c = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const binding = newSecret();
      await prisma.oidcLogin.deleteMany({
        where: { createdAt: { lt: new Date(now().getTime() - PENDING_MS) } },
      });
      await prisma.oidcLogin.create({ data: { id: digest(binding), state, nonce, codeVerifier } });
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri(origin),
        scope: config.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, binding };
    },

    /**
     * The provider sent the browser back: the pending sign-in bound to this browser, the code
     * exchanged (PKCE, state, nonce checked by openid-client), the claims mapped to a role.
     */
    async finish(currentUrl: URL, binding: string | undefined, ip: string, origin: string) {
      const pending = binding
        ? await prisma.oidcLogin.findUnique({ where: { id: digest(binding) } })
        : null;
      if (pending) await prisma.oidcLogin.delete({ where: { id: pending.id } }).catch(() => {});
      if (!pending || pending.createdAt.getTime() < now().getTime() - PENDING_MS) {
        throw new SsoError(
          'sso_expired',
          'this sign-in was not started in this browser, or took too long: start again',
        );
      }
      const c = await configuration();
      // The callback as the provider was told it (behind a proxy, the request's own URL differs).
      const callback = new URL(redirectUri(origin));
      callback.search = currentUrl.search;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(c, callback, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        await securityEvent(prisma, {
          actor: 'sso',
          action: 'login',
          outcome: 'failure',
          ip,
          detail: { method: 'oidc', reason: (error as Error).message.slice(0, 200) },
        });
        throw new SsoError(
          'sso_failed',
          `the identity provider's answer was refused: ${(error as Error).message}`,
        );
      }
      const idClaims: Record<string, unknown> = { ...tokens.claims() };
      const subject = String(idClaims.sub);
      let claims: Record<string, unknown> = { ...idClaims };
      try {
        const info = await client.fetchUserInfo(c, tokens.access_token, subject);
        // The ID token's claims win; userinfo adds what it lacks (often the groups).
        claims = { ...info, ...idClaims };
      } catch {
        // Not every provider has a userinfo endpoint: the ID token's claims then suffice.
      }
      const result = await account(claims, subject);
      const who = String(claims.preferred_username ?? claims.email ?? subject);
      if (!result.rule || !('user' in result) || !result.user) {
        await securityEvent(prisma, {
          actor: who,
          action: 'login',
          outcome: 'denied',
          ip,
          detail: { method: 'oidc', reason: 'no role rule matches' },
        });
        throw new SsoError(
          'sso_no_role',
          'you signed in at the identity provider, but no Drydock role is mapped to your groups: ask an administrator',
        );
      }
      const user = result.user;
      if (user.disabledAt) {
        await securityEvent(prisma, {
          actor: user.username,
          action: 'login',
          outcome: 'denied',
          ip,
          detail: { method: 'oidc', reason: 'disabled' },
        });
        throw new SsoError('sso_disabled', 'this account is disabled');
      }
      await securityEvent(prisma, {
        actor: user.username,
        action: 'login',
        outcome: 'success',
        target: user.id,
        ip,
        detail: {
          method: 'oidc',
          rule: `${result.rule.claim}:${result.rule.value}`,
          role: user.role,
          ...(result.created ? { created: true } : {}),
        },
      });
      return openSession(prisma, user, now);
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
