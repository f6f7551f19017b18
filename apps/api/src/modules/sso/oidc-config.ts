import { type Role, RoleSchema } from '@drydock/contract';

/** One claim → role (and scope) rule: `groups:shop-team=analyst@local/shop,local/web`. */
export interface OidcRule {
  claim: string;
  value: string;
  role: Role;
  /** Registry instance names (`local`) and namespaces (`local/shop`); empty: every image. */
  scope: string[];
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, no client secret). */
  clientSecret?: string;
  /** Absent: `<the request's origin>/api/v1/auth/oidc/callback`. */
  redirectUrl?: string;
  scopes: string;
  /** The sign-in button says "Sign in with <label>". */
  label: string;
  /** In order: the first rule the user's claims match gives the role and scope. */
  rules: OidcRule[];
}

/**
 * `DRYDOCK_OIDC_ROLES`: rules separated by `;`, each `claim:value=role` with an optional
 * `@scope,scope` (registry instance names, `instance/namespace`). Whoever matches no rule is
 * refused: single sign-on grants nothing by default.
 */
export function parseOidcRules(text: string): OidcRule[] {
  const rules: OidcRule[] = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([\w.-]+):([^=]+)=([a-z]+)(?:@(.+))?$/.exec(part);
    if (!m)
      throw new Error(
        `"${part}": expected claim:value=role or claim:value=role@instance/namespace,…`,
      );
    const role = RoleSchema.safeParse(m[3]);
    if (!role.success)
      throw new Error(`"${part}": ${m[3]} is not a role (${RoleSchema.options.join(', ')})`);
    const scope = (m[4] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of scope) {
      if (!/^[^/\s]+(\/[^\s]+)?$/.test(s))
        throw new Error(`"${part}": "${s}" is not an instance or instance/namespace`);
    }
    rules.push({ claim: m[1] as string, value: (m[2] as string).trim(), role: role.data, scope });
  }
  if (!rules.length) throw new Error('no rule: nobody could sign in');
  return rules;
}

/** The first rule the claims match (a claim may be a string or a list of strings). */
export function matchRule(
  rules: OidcRule[],
  claims: Record<string, unknown>,
): OidcRule | undefined {
  return rules.find((r) => {
    const v = claims[r.claim];
    return Array.isArray(v) ? v.includes(r.value) : v === r.value;
  });
}
