import { ZipArchive } from '@drydock/zip';
import { purl } from '../../purl.ts';
import { type AppAnalyzer, type AppRecord, appRecord, sriHashes } from './types.ts';

export function npmPurl(name: string, version: string): string {
  const scoped = name.startsWith('@') ? name.slice(1).split('/') : undefined;
  return scoped && scoped.length === 2
    ? purl({ type: 'npm', namespace: `@${scoped[0]}`, name: scoped[1] as string, version })
    : purl({ type: 'npm', name, version });
}

function license(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object' && 'type' in value && typeof value.type === 'string') {
    return [value.type];
  }
  if (Array.isArray(value)) return value.flatMap((v) => license(v) ?? []);
  return undefined;
}

const record = (
  name: string,
  version: string,
  path: string,
  declared: boolean,
  licenses?: string[],
): AppRecord =>
  appRecord({ name, version, type: 'npm', purl: npmPurl(name, version), path }, declared, licenses);

const nameFromLockPath = (key: string) =>
  key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

interface LockEntry {
  version?: string;
  name?: string;
  link?: boolean;
  license?: unknown;
  integrity?: unknown;
  dependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
  peerDependencies?: Record<string, unknown>;
}

/** Names of what a manifest or lock entry depends on (peer and optional ones included). */
const dependencyNames = (entry: LockEntry) => [
  ...new Set(
    [entry.dependencies, entry.optionalDependencies, entry.peerDependencies].flatMap((deps) =>
      deps && typeof deps === 'object' && !Array.isArray(deps) ? Object.keys(deps) : [],
    ),
  ),
];

/**
 * Where Node.js finds `dep` for the package in directory `dir`: `dir/node_modules/dep`, then the
 * same in each parent directory that is not itself a node_modules directory.
 */
export function resolveNodeModule<T>(
  dir: string,
  dep: string,
  at: (packageDir: string) => T | undefined,
): T | undefined {
  let d = dir;
  for (;;) {
    if (!/(^|\/)node_modules$/.test(d)) {
      const hit = at(`${d ? `${d}/` : ''}node_modules/${dep}`);
      if (hit !== undefined) return hit;
    }
    if (!d) return undefined;
    const slash = d.lastIndexOf('/');
    d = slash >= 0 ? d.slice(0, slash) : '';
  }
}

function parsePackageLock(text: string, path: string): AppRecord[] {
  const lock = JSON.parse(text) as {
    lockfileVersion?: number;
    packages?: Record<string, LockEntry>;
    dependencies?: Record<string, { version?: string; dependencies?: unknown }>;
  };
  const out: AppRecord[] = [];
  if (lock.packages) {
    const entries = lock.packages;
    const purlAt = new Map<string, string>();
    for (const [key, entry] of Object.entries(entries)) {
      if (!key.includes('node_modules/') || entry.link || !entry.version) continue;
      purlAt.set(key, npmPurl(entry.name ?? nameFromLockPath(key), entry.version));
    }
    for (const [key, entry] of Object.entries(entries)) {
      if (!purlAt.has(key)) continue;
      const found = record(
        entry.name ?? nameFromLockPath(key),
        entry.version as string,
        path,
        true,
        license(entry.license),
      );
      const hashes = sriHashes(entry.integrity);
      if (hashes) found.hashes = hashes;
      const dependsOn = dependencyNames(entry).flatMap(
        (dep) => resolveNodeModule(key, dep, (dir) => purlAt.get(dir)) ?? [],
      );
      if (dependsOn.length) found.dependsOn = [...new Set(dependsOn)];
      out.push(found);
    }
    return out;
  }
  // lockfile v1: nested "dependencies".
  const walk = (deps: Record<string, { version?: string; dependencies?: unknown }> | undefined) => {
    for (const [name, entry] of Object.entries(deps ?? {})) {
      if (entry.version && !entry.version.startsWith('file:'))
        out.push(record(name, entry.version, path, true));
      walk(entry.dependencies as typeof deps);
    }
  };
  walk(lock.dependencies);
  return out;
}

/** yarn.lock v1 (`"a@^1", a@~1.2:` blocks with `version "x"`) and berry (`version: x`). */
function parseYarnLock(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  let names: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      names = line
        .replace(/:$/, '')
        .split(',')
        .map((s) => s.trim().replace(/^"|"$/g, ''))
        .map((spec) => {
          const at = spec.lastIndexOf('@');
          return at > 0 ? spec.slice(0, at) : spec;
        })
        .filter((n) => n && n !== '__metadata');
      continue;
    }
    const match = /^\s+version:?\s+"?([^"\s]+)"?/.exec(line);
    if (match && names[0]) {
      const name = names[0].replace(/@npm$/, '');
      if (!/^(workspace|link|file|portal|patch):/.test(match[1] as string)) {
        out.push(record(name, match[1] as string, path, true));
      }
      names = [];
    }
  }
  return out;
}

/** pnpm-lock.yaml: package keys `/name@version`, `/name/version` or `name@version(peer)`. */
function parsePnpmLock(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  const seen = new Set<string>();
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      section = line.replace(/:.*$/, '');
      continue;
    }
    if (section !== 'packages' && section !== 'snapshots') continue;
    const match = /^ {2}'?\/?((?:@[^/@]+\/)?[^/@(]+)[@/]([^(':]+)(?:\([^)]*\))*'?:\s*$/.exec(line);
    if (!match) continue;
    const key = `${match[1]}@${match[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(record(match[1] as string, match[2] as string, path, true));
  }
  return out;
}

/** Yarn Berry's zip cache (Plug'n'Play installs): `node_modules/<name>/package.json` inside. */
const YARN_CACHE = /(^|\/)\.yarn\/(berry\/)?cache\/[^/]+\.zip$/;

function parseYarnCacheZip(data: Buffer, path: string): AppRecord[] {
  const zip = new ZipArchive(data);
  const entry = zip.entries.find((e) =>
    /^node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(e.name),
  );
  if (!entry) return [];
  return fromManifest(zip.read(entry, 4 * 1024 * 1024).toString('utf8'), path);
}

function fromManifest(text: string, path: string): AppRecord[] {
  const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as LockEntry & {
    name?: unknown;
    version?: unknown;
    licenses?: unknown;
    _integrity?: unknown;
  };
  if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string' || !pkg.version) return [];
  const found = record(pkg.name, pkg.version, path, false, license(pkg.license ?? pkg.licenses));
  // npm before v7 recorded the tarball's integrity in the installed manifest.
  const hashes = sriHashes(pkg._integrity);
  if (hashes) found.hashes = hashes;
  const requires = dependencyNames(pkg);
  if (requires.length) found.requires = requires;
  return [found];
}

/**
 * npm: installed packages (`node_modules/**\/package.json` under any prefix: projects, global
 * `usr/lib/node_modules` and `usr/local/lib/node_modules`, npm's own bundled dependencies, pnpm's
 * `.pnpm` store), Yarn Berry's zip cache, and, as declared entries, the lock files a project
 * ships (package-lock.json v1-v3, npm-shrinkwrap.json, yarn.lock v1/berry, pnpm-lock.yaml).
 */
export const npmAnalyzer: AppAnalyzer = {
  name: 'npm',
  version: '3',
  matches(path) {
    if (YARN_CACHE.test(path)) return true;
    if (path.endsWith('/package.json') || path === 'package.json') {
      // Only a package's own manifest: node_modules/<name>/package.json or node_modules/@s/<name>/...
      return /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    return (
      (base === 'package-lock.json' ||
        base === 'npm-shrinkwrap.json' ||
        base === 'yarn.lock' ||
        base === 'pnpm-lock.yaml') &&
      !path.includes('/node_modules/')
    );
  },
  analyze(path, data) {
    if (YARN_CACHE.test(path)) return parseYarnCacheZip(data, path);
    const text = data.toString('utf8').replace(/^\uFEFF/, '');
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base === 'package.json') return fromManifest(text, path);
    if (base === 'yarn.lock') return parseYarnLock(text, path);
    if (base === 'pnpm-lock.yaml') return parsePnpmLock(text, path);
    return parsePackageLock(text, path);
  },
};
