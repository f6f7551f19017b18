import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './registry.ts';

export interface TestAccount {
  groups: string[];
  email?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People who can sign in (any password), by login; change their groups between sign-ins. */
  accounts: Map<string, TestAccount>;
  /**
   * Drives the provider's own sign-in pages for `login` from an authorization URL (its login and
   * consent forms, with the provider's cookies) and returns where it sends the browser back.
   */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package, its development interactions) on
 * loopback: authorization code flow with PKCE required, one confidential client, a `groups`
 * claim (scope `groups`) from `accounts`.
 */
export async function startOidcProvider(options: {
  redirectUris: string[];
  port?: number;
  accounts?: Record<string, TestAccount>;
}): Promise<TestOidcProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const clientId = 'drydock';
  const clientSecret = 'drydock-test-client-secret';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            preferred_username: id,
            email: account.email ?? `${id}@example.test`,
            groups: account.groups,
          };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username'],
      email: ['email'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    pkce: { required: () => true },
    cookies: { keys: ['drydock-test-cookie-key'] },
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));

  async function signIn(authorizationUrl: string, login: string): Promise<string> {
    const jar = new Map<string, string>();
    const go = async (url: string, init: { method?: string; body?: string } = {}) => {
      const res = await fetch(url, {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(init.body ? { body: init.body } : {}),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair = ''] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return res;
    };
    let url = authorizationUrl;
    for (let hop = 0; hop < 20; hop++) {
      if (!url.startsWith(issuer)) return url;
      const res = await go(url);
      const location = res.headers.get('location');
      if (location) {
        url = new URL(location, issuer).href;
        continue;
      }
      // An interaction page: the login form, then the consent form.
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (!action || !prompt)
        throw new Error(`unexpected page from the provider: ${html.slice(0, 300)}`);
      const body = new URLSearchParams(
        prompt === 'login' ? { prompt, login, password: 'any' } : { prompt },
      ).toString();
      const posted = await go(new URL(action, issuer).href, { method: 'POST', body });
      const next = posted.headers.get('location');
      if (!next) throw new Error(`the provider did not move on after ${prompt}: ${posted.status}`);
      url = new URL(next, issuer).href;
    }
    throw new Error('too many hops at the provider');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signIn,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
