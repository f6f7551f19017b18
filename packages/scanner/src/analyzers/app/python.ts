import { ZipArchive } from '@drydock/zip';
import { normalizeLicense } from '../../licenses.ts';
import { purl } from '../../purl.ts';
import { type AppAnalyzer, type AppRecord, appRecord, pep503 } from './types.ts';

const record = (
  name: string,
  version: string,
  path: string,
  declared: boolean,
  licenses?: string[],
): AppRecord =>
  appRecord(
    {
      // Kept as the project spells it (PyYAML); advisories are looked up PEP 503-normalised.
      name,
      version,
      type: 'pypi',
      purl: purl({ type: 'pypi', name: pep503(name), version }),
      path,
    },
    declared,
    licenses,
  );

/** RFC 822 headers of METADATA / PKG-INFO (the body after the first blank line is ignored). */
function parseMetadata(text: string): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const values = headers[last] as string[];
      values[values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = [...(headers[last] ?? []), line.slice(colon + 1).trim()];
  }
  return headers;
}

function licensesOf(headers: Record<string, string[]>): string[] | undefined {
  const expression = headers['license-expression']?.[0];
  if (expression) return [expression];
  const license = headers.license?.[0];
  if (license && license !== 'UNKNOWN' && !license.includes('\n') && license.length < 80) {
    return [normalizeLicense(license)];
  }
  const classifiers = (headers.classifier ?? [])
    .filter((c) => c.startsWith('License :: OSI Approved :: '))
    .map((c) => c.slice('License :: OSI Approved :: '.length));
  return classifiers.length ? classifiers : undefined;
}

/**
 * poetry.lock and uv.lock: [[package]] tables with name and version. Packages from the project
 * itself (uv's `editable`/`virtual` sources, poetry's `directory` sources) are not dependencies.
 */
function parsePackageTables(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  let inPackage = false;
  let name: string | undefined;
  let version: string | undefined;
  let local = false;
  const flush = () => {
    if (name && version && !local) out.push(record(name, version, path, true));
    name = version = undefined;
    local = false;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('[')) {
      if (line.trim() === '[[package]]') {
        flush();
        inPackage = true;
      } else if (!line.startsWith('[package.')) {
        flush();
        inPackage = false;
      }
      continue;
    }
    if (!inPackage) continue;
    if (/^source\s*=\s*\{\s*(editable|virtual|directory|path)\s*=/.test(line)) local = true;
    if (/^type\s*=\s*"(directory|file)"/.test(line)) local = true;
    const match = /^(name|version)\s*=\s*"([^"]*)"/.exec(line);
    if (match?.[1] === 'name') name = match[2];
    else if (match?.[1] === 'version') version = match[2];
  }
  flush();
  return out;
}

function parsePipfileLock(text: string, path: string): AppRecord[] {
  const lock = JSON.parse(text) as Record<string, Record<string, { version?: string }>>;
  const out: AppRecord[] = [];
  for (const section of ['default', 'develop']) {
    for (const [name, entry] of Object.entries(lock[section] ?? {})) {
      const version = entry.version?.replace(/^==/, '');
      if (version) out.push(record(name, version, path, true));
    }
  }
  return out;
}

/** Pinned requirements only (`name==1.2.3`, extras and markers allowed); ranges are not versions. */
function parseRequirements(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#') || line.startsWith('-')) continue;
    const match =
      /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9.+!_-]+)\s*(?:;.*)?$/.exec(
        line,
      );
    if (match) out.push(record(match[1] as string, match[2] as string, path, true));
  }
  return out;
}

/** A distribution's metadata (METADATA, PKG-INFO, an `.egg-info` file) → its package. */
function fromMetadata(text: string, path: string): AppRecord[] {
  const headers = parseMetadata(text);
  const name = headers.name?.[0];
  const version = headers.version?.[0];
  if (!name || !version) throw new Error('metadata without Name or Version');
  const found = record(name, version, path, false, licensesOf(headers));
  const requires = requiredDistributions(headers['requires-dist'] ?? []);
  if (requires.length) found.requires = requires;
  return [found];
}

/**
 * `Requires-Dist: urllib3 (<3,>=1.21.1)` / `PySocks!=1.5.7 ; extra == "socks"`: the names of what
 * the distribution needs (PEP 503 form); requirements of optional extras are left out.
 */
function requiredDistributions(values: string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const [spec = '', marker = ''] = value.split(';');
    if (/\bextra\s*==/.test(marker)) continue;
    const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec)?.[1];
    if (name) out.add(pep503(name));
  }
  return [...out];
}

const INSTALLED = [
  /\.dist-info\/METADATA$/,
  /\.egg-info\/PKG-INFO$/,
  /\.egg-info$/,
  /\.egg\/EGG-INFO\/PKG-INFO$/,
];

/**
 * Python: installed distributions wherever they are (system site-packages and dist-packages,
 * virtualenvs, conda, user sites, vendored folders): `*.dist-info/METADATA`,
 * `*.egg-info/PKG-INFO`, `.egg-info` files, egg folders (`EGG-INFO/PKG-INFO`) and zipped eggs;
 * poetry.lock, uv.lock, Pipfile.lock and pinned requirements*.txt as declared. Names are kept as
 * spelled; the purl and advisory lookups use the PEP 503 form.
 */
export const pythonAnalyzer: AppAnalyzer = {
  name: 'python',
  version: '3',
  matches(path) {
    if (INSTALLED.some((p) => p.test(path))) return true;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.endsWith('.egg')) return true;
    return (
      base === 'poetry.lock' ||
      base === 'uv.lock' ||
      base === 'Pipfile.lock' ||
      /^requirements.*\.txt$/.test(base)
    );
  },
  analyze(path, data) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.endsWith('.egg')) {
      const zip = new ZipArchive(data);
      const entry = zip.entries.find((e) => e.name === 'EGG-INFO/PKG-INFO');
      if (!entry) throw new Error('zipped egg without EGG-INFO/PKG-INFO');
      return fromMetadata(zip.read(entry, 1024 * 1024).toString('utf8'), path);
    }
    const text = data.toString('utf8');
    if (base === 'poetry.lock' || base === 'uv.lock') return parsePackageTables(text, path);
    if (base === 'Pipfile.lock') return parsePipfileLock(text, path);
    if (base.startsWith('requirements')) return parseRequirements(text, path);
    return fromMetadata(text, path);
  },
};
