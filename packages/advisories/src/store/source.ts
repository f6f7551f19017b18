import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { checkUrl, type EgressRules, PRIVATE_RANGES, rangesOfHost } from '@drydock/net';

/**
 * Where a server-side import may read: folders under the configured mirror roots, and http(s)
 * mirrors anywhere but loopback and link-local addresses (a mirror on the company network is
 * fine; the API's own host and the cloud metadata service are not).
 */
export interface SourcePolicy {
  /** Absolute folders (DRYDOCK_ADVISORY_MIRRORS); a local source must lie inside one. */
  roots: readonly string[];
}

/** Egress for mirror downloads: public and private networks, never loopback or link-local. */
export const MIRROR_EGRESS: EgressRules = { allowRanges: PRIVATE_RANGES };

export class SourceError extends Error {
  override name = 'SourceError';
}

const isUrl = (source: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(source);

/**
 * Refuses an import source the policy does not allow, with a reason an administrator can act on.
 * Local paths are compared after resolving symbolic links, so a link inside a root cannot lead
 * outside it.
 */
export async function checkImportSource(source: string, policy: SourcePolicy): Promise<void> {
  if (isUrl(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new SourceError(`'${source}' is not a valid URL`);
    }
    if (url.username || url.password) {
      throw new SourceError('a mirror URL must not carry credentials');
    }
    try {
      checkUrl(url, MIRROR_EGRESS);
    } catch (error) {
      throw new SourceError(`mirror URL refused: ${(error as Error).message}`);
    }
    const ranges = await rangesOfHost(url.hostname);
    const bad = ranges.find((r) => r === 'loopback' || r === 'link-local' || r === 'unspecified');
    if (bad) throw new SourceError(`mirror URL refused: ${url.hostname} is a ${bad} address`);
    return;
  }
  if (!path.isAbsolute(source)) {
    throw new SourceError(`'${source}' must be an absolute path (or an http(s) URL)`);
  }
  const real = await realpath(source).catch(() => undefined);
  if (!real) throw new SourceError(`${source}: no such file or directory`);
  for (const root of policy.roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (!realRoot) continue;
    const rel = path.relative(realRoot, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return;
  }
  throw new SourceError(
    `${source} is outside the advisory mirror folders (${policy.roots.join(', ') || 'none'}): set DRYDOCK_ADVISORY_MIRRORS`,
  );
}

/**
 * Folders a server-side import may read: `DRYDOCK_ADVISORY_MIRRORS` (separated by `:` or `,`),
 * else `<data dir>/advisories`.
 */
export function advisoryMirrorRoots(value: string | undefined, dataDir: string): string[] {
  const given = (value ?? '')
    .split(/[:,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (given.length ? given : [path.join(dataDir, 'advisories')]).map((p) => path.resolve(p));
}
