import { RegistryClient } from './client.ts';

/** What a stored registry instance carries: URL, user name, and the sealed password/token. */
export interface InstanceAccess {
  url: string;
  username: string | null;
  secret: string | null;
}

/** A client for a stored instance; `open` decrypts the sealed secret (it never leaves memory). */
export function clientForInstance(
  instance: InstanceAccess,
  open: (sealed: string) => string,
  options: { timeoutMs?: number; idleTimeoutMs?: number } = {},
): RegistryClient {
  const credentials =
    instance.username && instance.secret
      ? { username: instance.username, password: open(instance.secret) }
      : undefined;
  return new RegistryClient({
    url: instance.url,
    ...(credentials ? { credentials } : {}),
    ...options,
  });
}

export interface CheckResult {
  ok: boolean;
  auth: 'none' | 'basic' | 'bearer' | null;
  error: string | null;
  code: string | null;
}

/** "Test connection": speaks v2 and accepts the credentials? Never throws. */
export async function checkRegistry(client: RegistryClient): Promise<CheckResult> {
  try {
    const { auth } = await client.ping();
    return { ok: true, auth, error: null, code: null };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, auth: null, error: e.message, code: e.code ?? 'internal' };
  }
}
