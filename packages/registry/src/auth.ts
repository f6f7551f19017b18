/**
 * Registry authentication: the `WWW-Authenticate` challenge of a 401, HTTP Basic, and the Docker
 * Registry v2 token flow (GET the realm with service and scope, Basic credentials when we have
 * them, receive a bearer token valid for `expires_in` seconds).
 */
export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or token values, any order). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const m of (match[2] as string).matchAll(re)) {
    params[(m[1] as string).toLowerCase()] =
      m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme, params };
}

export interface Credentials {
  username: string;
  password: string;
}

export const basicHeader = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
