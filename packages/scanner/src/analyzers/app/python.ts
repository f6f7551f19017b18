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
      name: pep503(name),
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

/** poetry.lock: [[package]] tables with name and version. */
function parsePoetryLock(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  let inPackage = false;
  let name: string | undefined;
  let version: string | undefined;
  const flush = () => {
    if (name && version) out.push(record(name, version, path, true));
    name = version = undefined;
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

const SITE = /(^|\/)(site|dist)-packages\//;

/**
 * Python: installed distributions (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO` or an `.egg-info`
 * file) in any site-packages or dist-packages; poetry.lock, Pipfile.lock and pinned
 * requirements*.txt as declared. Names are PEP 503 normalised.
 */
export const pythonAnalyzer: AppAnalyzer = {
  name: 'python',
  version: '1',
  matches(path) {
    if (SITE.test(path)) {
      return (
        /\.dist-info\/METADATA$/.test(path) ||
        /\.egg-info\/PKG-INFO$/.test(path) ||
        /\.egg-info$/.test(path)
      );
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    return base === 'poetry.lock' || base === 'Pipfile.lock' || /^requirements.*\.txt$/.test(base);
  },
  analyze(path, data) {
    const text = data.toString('utf8');
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base === 'poetry.lock') return parsePoetryLock(text, path);
    if (base === 'Pipfile.lock') return parsePipfileLock(text, path);
    if (base.startsWith('requirements')) return parseRequirements(text, path);
    const headers = parseMetadata(text);
    const name = headers.name?.[0];
    const version = headers.version?.[0];
    if (!name || !version) throw new Error('METADATA without Name or Version');
    return [record(name, version, path, false, licensesOf(headers))];
  },
};
